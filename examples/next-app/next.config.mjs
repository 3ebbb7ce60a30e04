/** @type {import("next").NextConfig} */
const nextConfig = {
  // The workspace root holds the lockfile: tell Next.js where the monorepo starts.
  outputFileTracingRoot: new URL("../..", import.meta.url).pathname,
  turbopack: { root: new URL("../..", import.meta.url).pathname },
};

export default nextConfig;
