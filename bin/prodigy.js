#!/usr/bin/env node
// The commands that run jobs hold every item of a MapReduce job in memory and make garbage per item at
// thousands of items a second; V8's default heap growth then lets the heap reach ~3x what is live before a
// full collection (peak RSS 190 MB at 20,000 items). --optimize-for-size grows it in smaller steps (~135 MB,
// ~6% slower there). The dashboard and the listings keep V8's defaults. Set before the CLI loads: the flag
// steers the heap from the next allocation on.
import v8 from 'node:v8';
import { commandWordOf } from '../dist/command-word.js';

const RUNNERS = new Set(['run', 'resume', 'resume-job', 'worker', 'dlq']);
if (RUNNERS.has(commandWordOf(process.argv))) v8.setFlagsFromString('--optimize-for-size');
await import('../dist/cli.js');
