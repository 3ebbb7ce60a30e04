import type { IncomingMessage } from "node:http";
import { TLSSocket } from "node:tls";
import type { ConnectionInfo } from "../verifier/types.js";

/**
 * What a Node.js request's socket says about the caller, as `verifyParts` wants it:
 * the peer address (the proxy's, behind a reverse proxy) and, when this process
 * terminates TLS, the client certificate as DER with whether the TLS stack verified
 * it against the configured CA. Node-only: `@hooksec/core/node`.
 *
 * @example
 * import { connectionInfo } from "@hooksec/core/node";
 * await verifier.verifyParts({ method, url, headers: req.headers, body, connection: connectionInfo(req) });
 */
export function connectionInfo(req: IncomingMessage): ConnectionInfo {
  const socket = req.socket;
  if (socket instanceof TLSSocket) {
    // `raw` is absent when the client sent no certificate (an empty object comes back).
    const raw: Uint8Array | undefined = socket.getPeerCertificate().raw;
    return { remoteAddress: socket.remoteAddress, peerCertificate: raw, peerCertificateVerified: socket.authorized };
  }
  return { remoteAddress: socket?.remoteAddress };
}
