/** What the benchmarks print about the machine they ran on. */
import { cpus, platform, release, totalmem } from 'node:os';

/** `node v20.20.2, linux 6.1.0, AMD EPYC (2 cores), 8 GB RAM` */
export function machine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `node ${process.version}, ${platform()} ${release()}, ${model} (${cpu.length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GB RAM`;
}
