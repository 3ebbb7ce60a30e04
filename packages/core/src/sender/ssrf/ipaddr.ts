// ipaddr.js is CommonJS (`module.exports = ipaddr`): Node's ESM loader exposes it as
// the default export, bundlers may expose its members directly. This takes either,
// without `allowSyntheticDefaultImports`.
import * as ipaddrModule from "ipaddr.js";

type IpAddr = typeof ipaddrModule;

export const ipaddr: IpAddr = (ipaddrModule as IpAddr & { default?: IpAddr }).default ?? ipaddrModule;
export type IPv4 = ipaddrModule.IPv4;
export type IPv6 = ipaddrModule.IPv6;
