#!/usr/bin/env node
// The `kindling` command. kindling is written in TypeScript and runs from its sources: tsx's loader
// is registered first so that Node can import them.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
