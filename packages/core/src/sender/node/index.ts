// `@hooksec/core/sender/node`: the Node.js transport (undici: client certificates,
// addresses resolved once and pinned against SSRF) and the types of its options.
export {
  type ConnectorFactory,
  type HostResolver,
  type NodeTransportOptions,
  createNodeTransport,
} from "../transport/node.js";
