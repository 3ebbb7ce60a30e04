import * as asn1js from "asn1js";

/**
 * The SubjectPublicKeyInfo of a DER X.509 certificate (its 7th field, after an optional
 * version). Its own module, imported on demand: asn1js is most of a verifier's bundle.
 */
export function certificatePublicKey(der: Uint8Array): Uint8Array | undefined {
  try {
    const parsed = asn1js.fromBER(der);
    if (parsed.offset !== der.byteLength || parsed.result.error) return undefined;
    const tbs = (parsed.result as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
    const items = tbs?.valueBlock.value ?? [];
    const at = items[0]?.idBlock.tagClass === 3 && items[0].idBlock.tagNumber === 0 ? 1 : 0;
    const spki = items[at + 5];
    if (spki === undefined || spki.idBlock.tagNumber !== 16) return undefined;
    return new Uint8Array(spki.toBER(false));
  } catch {
    return undefined;
  }
}
