// Runs an ONNX model in ONNX Runtime (the onnxruntime-node package) for the
// test suite: node run_onnxruntime.js MODULES_DIR MODEL.onnx INPUTS.json OUTPUTS.json
// INPUTS.json and OUTPUTS.json map a value name to {"shape": [...], "data": [...]}
// (float32, row-major). Exits 1 with the error on stderr when the run fails.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [modulesDir, modelPath, inputsPath, outputsPath] = process.argv.slice(2);
  const ort = require(path.join(modulesDir, 'node_modules', 'onnxruntime-node'));
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

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
