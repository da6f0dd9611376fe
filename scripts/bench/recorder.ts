// Collects one value per run for each figure, and a few error messages.
import type { Kind, Measurement, MetricId, PathName } from "./results.ts";

const MAX_ERROR_SAMPLES = 20;

export class Recorder {
  readonly measurements: Measurement[] = [];
  readonly errorSamples: string[] = [];

  add(metric: MetricId, kind: Kind | null, path: PathName | null, value: number) {
    let measurement = this.measurements.find((m) => m.metric === metric && m.kind === kind && m.path === path);
    if (!measurement) {
      measurement = { metric, kind, path, values: [] };
      this.measurements.push(measurement);
    }
    measurement.values.push(value);
    console.log(`  ${metric} ${kind ?? ""} ${path ?? ""}: ${Number(value.toPrecision(4))}`);
  }

  error(where: string, message: string) {
    const sample = `${where}: ${message}`;
    if (this.errorSamples.length < MAX_ERROR_SAMPLES && !this.errorSamples.includes(sample)) this.errorSamples.push(sample);
  }
}
