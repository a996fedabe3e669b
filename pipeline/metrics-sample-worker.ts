// Helper-thread module of metrics-sample-parallel.ts (started through threads.ts startThread): sums the
// headline quality figures over its share of the sampled rows and posts the sums back; one request, one answer.
import { parentPort, workerData } from 'node:worker_threads';
import { sampleSums } from './metrics-sample.js';
import type { SampleSumsRequest } from './metrics-sample-parallel.js';

const { spaces, from, to } = workerData as SampleSumsRequest;
parentPort!.postMessage(sampleSums(spaces, from, to));
