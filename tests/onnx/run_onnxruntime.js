// Runs ONNX models in ONNX Runtime (the onnxruntime-node package) for the
// test suite, one model or many in one process (one Node start for a whole
// test case's models):
//   node run_onnxruntime.js MODULES_DIR MODEL.onnx INPUTS.json OUTPUTS.json
//   node run_onnxruntime.js MODULES_DIR --batch JOBS.json
// INPUTS.json and OUTPUTS.json map a value name to {"shape": [...], "data": [...]}
// (float32, row-major). JOBS.json is a list of {"model", "inputs", "outputs"}
// paths; a job whose run fails writes {"error": message} as its outputs, so
// the others still run. A single run exits 1 with the error on stderr.
'use strict';
const fs = require('fs');
const path = require('path');

async function run(ort, modelPath, inputsPath, outputsPath) {
  const session = await ort.InferenceSession.create(modelPath);
  const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const feeds = {};
  for (const [name, value] of Object.entries(inputs)) {
    feeds[name] = new ort.Tensor('float32', Float32Array.from(value.data), value.shape);
  }
  const results = await session.run(feeds);
  const out = {};
  for (const [name, tensor] of Object.entries(results)) {
    out[name] = {shape: tensor.dims, data: Array.from(tensor.data, Number)};
  }
  fs.writeFileSync(outputsPath, JSON.stringify(out));
}

async function main() {
  const [modulesDir, ...rest] = process.argv.slice(2);
  const ort = require(path.join(modulesDir, 'node_modules', 'onnxruntime-node'));
  if (rest[0] !== '--batch') return run(ort, ...rest);
  for (const job of JSON.parse(fs.readFileSync(rest[1], 'utf8'))) {
    try {
      await run(ort, job.model, job.inputs, job.outputs);
    } catch (e) {
      fs.writeFileSync(job.outputs, JSON.stringify({error: String(e && e.stack ? e.stack : e)}));
    }
  }
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
