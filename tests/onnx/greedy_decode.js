// Greedy decoding of the NMT example's ONNX export in ONNX Runtime, for the
// test suite (tests/test_nmt_onnx.cpp) and the benchmark:
//   node greedy_decode.js MODULES_DIR EXPORT_DIR REQUEST.json RESULT.json
// REQUEST.json: {"source": {"shape": [N, Te, V] or [N, Te], "data": [...]},
//   "start_id", "end_id", "fr_vocab", "steps", "one_hot", "batch_size", "repeats"}
// RESULT.json: {"ids": [[...], ...] (the end id included), "seconds": [per repeat]}
// The loop is the one `nmt translate` runs: the previous word in, the most
// probable word out, until the end id or 0, or `steps` words.
'use strict';
const fs = require('fs');
const path = require('path');

async function main() {
  const [modulesDir, exportDir, requestPath, resultPath] = process.argv.slice(2);
  const ort = require(path.join(modulesDir, 'node_modules', 'onnxruntime-node'));
  const req = JSON.parse(fs.readFileSync(requestPath, 'utf8'));
  const options = {intraOpNumThreads: req.threads || 1, interOpNumThreads: 1};
  const encoder = await ort.InferenceSession.create(path.join(exportDir, 'encoder.onnx'), options);
  const step = await ort.InferenceSession.create(path.join(exportDir, 'decoder_step.onnx'), options);
  const [N, Te] = req.source.shape;
  const rowSize = req.source.data.length / N;
  const source = Float32Array.from(req.source.data);
  const V = req.fr_vocab;

  async function decode(begin, end) {
    const n = end - begin;
    const shape = [n, ...req.source.shape.slice(1)];
    const x = new ort.Tensor('float32', source.subarray(begin * rowSize, end * rowSize), shape);
    const enc = await encoder.run({encoder_inf_inputs: x});
    const encoded = enc[encoder.outputNames[0]];
    let state = enc[encoder.outputNames[1]];
    const ids = Array.from({length: n}, () => []);
    const done = new Array(n).fill(false);
    let previous = new Array(n).fill(req.start_id);
    for (let t = 0; t < req.steps && done.some((d) => !d); ++t) {
      let word;
      if (req.one_hot) {
        const data = new Float32Array(n * V);
        previous.forEach((id, i) => { data[i * V + id] = 1; });
        word = new ort.Tensor('float32', data, [n, 1, V]);
      } else {
        word = new ort.Tensor('float32', Float32Array.from(previous), [n, 1]);
      }
      const out = await step.run({decoder_word_inputs: word, encoder_inf_states: encoded, decoder_init: state});
      const probs = out[step.outputNames[0]].data;
      state = out[step.outputNames[2]];
      for (let i = 0; i < n; ++i) {
        if (done[i]) continue;
        let best = 0;
        for (let v = 1; v < V; ++v) if (probs[i * V + v] > probs[i * V + best]) best = v;
        ids[i].push(best);
        previous[i] = best;
        done[i] = best === req.end_id || best === 0;
      }
    }
    return ids;
  }

  const batch = req.batch_size || N;
  const seconds = [];
  let ids = [];
  for (let r = 0; r < (req.repeats || 1); ++r) {
    const start = process.hrtime.bigint();
    ids = [];
    for (let b = 0; b < N; b += batch) ids.push(...await decode(b, Math.min(N, b + batch)));
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  fs.writeFileSync(resultPath, JSON.stringify({ids, seconds}));
}

main().catch((e) => {
  process.stderr.write(String(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
