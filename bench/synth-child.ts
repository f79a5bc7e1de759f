/**
 * One `cdk synth` as the operator runs it (app.ts: load, check, build, bundle, cdk-nag, write the assembly), in this
 * fresh process, timed from inside: wall, and CPU of this process and of the processes it waited for (esbuild).
 * Prints one JSON line. `node bench/synth-child.ts <config file or folder> <outdir>`
 */
import { readFileSync } from 'node:fs';

const [configPath, outdir] = process.argv.slice(2);
if (!configPath || !outdir) throw new Error('usage: synth-child.ts <config> <outdir>');
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const { loadDeployments } = await import('../infra/cdk/deployments.ts');
const { buildApp } = await import('../infra/cdk/build.ts');
const loaded = performance.now();
const deployments = await loadDeployments(configPath);
const checked = performance.now();
const { app } = buildApp(deployments, { outdir });
const built = performance.now();
app.synth();
const done = performance.now();
const cpu = process.cpuUsage(cpu0);
// Children's CPU (esbuild runs as child processes): /proc/self/stat fields 16 and 17, in clock ticks (100 Hz).
const stat = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
const childrenCpuMs = (Number(stat[13]) + Number(stat[14])) * 10;
process.stdout.write(
  `${JSON.stringify({
    stacks: deployments.length,
    wallMs: done - t0,
    importMs: loaded - t0,
    loadAndCheckMs: checked - loaded,
    constructMs: built - checked,
    synthMs: done - built,
    cpuMs: (cpu.user + cpu.system) / 1000,
    childrenCpuMs,
  })}\n`,
);
