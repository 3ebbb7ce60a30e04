// The real release path on a throwaway git worktree of HEAD: a snapshot version of
// every public package (`changeset version --snapshot ci`), then `changeset publish
// --tag ci --no-git-tag` to the loopback registry. The checkout is never touched.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "./processes.mjs";

/** The public packages of the workspace: `{ dir, name }` for each packages/* that is not private. */
function publicPackages(root) {
  return readdirSync(join(root, "packages"))
    .filter((dir) => existsSync(join(root, "packages", dir, "package.json")))
    .map((dir) => ({ dir, manifest: JSON.parse(readFileSync(join(root, "packages", dir, "package.json"), "utf8")) }))
    .filter(({ manifest }) => manifest.private !== true)
    .map(({ dir, manifest }) => ({ dir, name: manifest.name }));
}

/**
 * Publishes a snapshot of every public package to `registry` and returns
 * `{ name -> version }` as published.
 */
export async function publishSnapshot({ root, dir, registry, token }) {
  const worktree = join(dir, "worktree");
  await run("git", ["worktree", "add", "--detach", worktree, "HEAD"], { cwd: root });
  const packages = publicPackages(worktree);
  for (const { dir: pkg } of packages) {
    const dist = join(root, "packages", pkg, "dist");
    if (!existsSync(dist)) throw new Error(`packages/${pkg}/dist is missing: build first (npx -y pnpm@10.34.8 build)`);
    cpSync(dist, join(worktree, "packages", pkg, "dist"), { recursive: true });
  }
  // changesets resolves its changelog generator from the workspace root's node_modules.
  symlinkSync(join(root, "node_modules"), join(worktree, "node_modules"));
  linkWorkspaceDependencies(worktree);

  // One changeset for every public package, so each gets a snapshot version even when
  // the pending changesets (or none, right after a release) cover only some.
  const frontMatter = packages.map(({ name }) => `"${name}": patch`).join("\n");
  writeFileSync(
    join(worktree, ".changeset", "release-check.md"),
    `---\n${frontMatter}\n---\n\nRelease check snapshot.\n`,
  );

  for (const { dir: pkg } of packages) {
    const file = join(worktree, "packages", pkg, "package.json");
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    // Provenance needs the CI provider's identity token, which a loopback registry has no
    // use for; everything else about the publish is as configured.
    if (manifest.publishConfig?.provenance) manifest.publishConfig.provenance = false;
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  const npmrc = join(dir, "publish.npmrc");
  const host = registry.replace(/^https?:/, "");
  writeFileSync(npmrc, `registry=${registry}\n${host}:_authToken=${token}\n`);
  // changesets runs `pnpm publish` by name: make that the pinned pnpm, located while
  // npm still points at the public registry (the one pnpm comes from).
  const pnpm = (await run("npx", ["-y", "-p", "pnpm@10.34.8", "-c", "command -v pnpm"], { cwd: dir }))
    .trim()
    .split("\n")
    .pop();
  const shims = join(dir, "shims");
  mkdirSync(shims, { recursive: true });
  writeFileSync(join(shims, "pnpm"), `#!/usr/bin/env bash\nexec ${JSON.stringify(pnpm)} "$@"\n`, { mode: 0o755 });
  const env = {
    PATH: `${shims}:${process.env.PATH}`,
    npm_config_userconfig: npmrc,
    npm_config_registry: registry,
    CI: "true",
  };
  const changeset = join(root, "node_modules", "@changesets", "cli", "bin.js");
  await run(process.execPath, [changeset, "version", "--snapshot", "ci"], { cwd: worktree, env });
  await run(process.execPath, [changeset, "publish", "--tag", "ci", "--no-git-tag"], {
    cwd: worktree,
    env,
    timeoutMs: 600_000,
  });

  const versions = {};
  for (const { dir: pkg, name } of packages) {
    versions[name] = JSON.parse(readFileSync(join(worktree, "packages", pkg, "package.json"), "utf8")).version;
  }
  for (const [name, version] of Object.entries(versions)) {
    const response = await fetch(`${registry}${name.replace("/", "%2f")}`);
    const document = response.ok ? await response.json() : {};
    if (document["dist-tags"]?.ci !== version)
      throw new Error(`${name}@${version} is not on the registry under the ci tag after changeset publish`);
  }
  return versions;
}

/** Removes the worktree and its entry in the checkout's git metadata. */
export async function removeWorktree(root, dir) {
  await run("git", ["worktree", "remove", "--force", join(dir, "worktree")], { cwd: root }).catch(() => undefined);
  await run("git", ["worktree", "prune"], { cwd: root }).catch(() => undefined);
}

/**
 * What `pnpm install` would link for `workspace:` dependencies, inside the worktree:
 * `pnpm publish` reads their (snapshot) versions there to replace the protocol.
 */
function linkWorkspaceDependencies(worktree) {
  const workspace = new Map();
  for (const group of ["packages", "tools", "examples"]) {
    if (!existsSync(join(worktree, group))) continue;
    for (const dir of readdirSync(join(worktree, group))) {
      const file = join(worktree, group, dir, "package.json");
      if (existsSync(file)) workspace.set(JSON.parse(readFileSync(file, "utf8")).name, join(worktree, group, dir));
    }
  }
  for (const dir of readdirSync(join(worktree, "packages"))) {
    const file = join(worktree, "packages", dir, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8"));
    for (const section of ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]) {
      for (const [name, spec] of Object.entries(manifest[section] ?? {})) {
        const target = workspace.get(name);
        if (!spec.startsWith("workspace:") || target === undefined) continue;
        const link = join(worktree, "packages", dir, "node_modules", name);
        if (existsSync(link)) continue;
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(target, link);
      }
    }
  }
}
