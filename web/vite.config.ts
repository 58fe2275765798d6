// `npm run web` serves this folder; `npm run web:build` writes the static site to web/dist.
// The page imports "kindling" and "kindling/datasets" by name, as an npm user's code does: Vite
// resolves a package's own name through package.json "exports" (self-reference), to src/*.ts.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  // relative asset URLs, so the built site works from any folder it is copied to
  base: "./",
  // the page starts the worker as a module worker ({ type: "module" }), so it is built as one
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4000 },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
});
