// How long the CLI takes to start: runs `shipgate --help`, `status --help`, `approve --help`, `list --help` (no
// server needed: each loads exactly what the command loads) N times and prints the median wall time and the
// median CPU time (user+sys of the child, from /proc/self/stat), which a loaded machine disturbs far less.
// Usage: node scripts/bench/cli-start.ts [--runs 10]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const runsFlag = process.argv.indexOf('--runs');
const runs = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 10;
const ticksPerSecond = 100; // USER_HZ on Linux

function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  // After the ") ": state is field 3, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / ticksPerSecond;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

for (const args of [['--help'], ['status', '--help'], ['approve', '--help'], ['list', '--help']]) {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const cpuBefore = childCpuSeconds();
    const started = performance.now();
    const result = spawnSync(join(root, 'bin', 'shipgate'), args, { stdio: 'ignore' });
    wall.push((performance.now() - started) / 1000);
    cpu.push(childCpuSeconds() - cpuBefore);
    if (result.status !== 0) throw new Error(`shipgate ${args.join(' ')} exited ${result.status}`);
  }
  console.log(
    `shipgate ${args.join(' ').padEnd(15)} wall p50 ${median(wall).toFixed(3)} s  min ${Math.min(...wall).toFixed(3)} s  cpu p50 ${median(cpu).toFixed(2)} s  (n=${runs})`,
  );
}
