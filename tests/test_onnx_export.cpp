// ONNX export: every exported model passes onnx.checker, ONNX Runtime
// computes kiln's outputs within 1e-5, and kiln's import reads it back to
// the same outputs (tests/onnx_support.hpp; each check
// is skipped with a note where its tool is absent).

#include <doctest/doctest.h>

#include "kiln.hpp"
#include "onnx/exporter.hpp"
#include "onnx_support.hpp"
#include "support.hpp"

using namespace kiln;
using namespace kiln::testing;

namespace {

constexpr double tolerance = 1e-5;

std::vector<std::string> input_names(const Model& model) {
  if (const auto* functional = dynamic_cast<const FunctionalModel*>(&model)) {
    std::vector<std::string> names;
    for (const auto& in : functional->inputs()) names.push_back(in.node()->input_name);
    return names;
  }
  return {"input"};
}

// Exports `model`, validates the file and compares ONNX Runtime's outputs
// on `inputs` with kiln's own inference outputs.
void check_export(Model& model, const std::vector<Array>& inputs) {
  OnnxTempDir dir;
  const auto path = dir / "model.onnx";
  export_onnx(model, path);
  REQUIRE(std::filesystem::file_size(path) > 0);
  if (auto report = onnx_checker_report(path)) CHECK_MESSAGE(report->empty(), *report);

  std::vector<Tensor> tensors(inputs.begin(), inputs.end());
  const std::vector<Tensor> expected = model(tensors);
  const std::vector<std::string> names = input_names(model);
  std::map<std::string, Array> feeds;
  for (std::size_t i = 0; i < inputs.size(); ++i) feeds.emplace(names.at(i), inputs[i]);
  // kiln reads its own export back to the same outputs.
  const auto imported = import_onnx(path);
  const std::vector<Tensor> reread = (*imported)(tensors);
  REQUIRE(reread.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(max_abs_diff(reread[i].value(), expected[i].value()) <= tolerance);

  const auto results = run_onnxruntime(path, feeds);
  if (!results) return;
  const auto outputs = model.output_names();
  REQUIRE(results->size() == outputs.size());
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    INFO("output " << outputs[i]);
    const Array& got = results->at(outputs[i]);
    REQUIRE(got.shape() == expected[i].shape());
    CHECK(max_abs_diff(got, expected[i].value()) <= tolerance);
  }
}

// Integer ids in [0, vocab) as floats, with the given cells set to 0 (padding).
Array ids(const Shape& shape, std::size_t vocab, std::uint64_t seed, const std::vector<std::size_t>& zeros = {}) {
  Array a = random_array(shape, seed, 1.0f, float(vocab) - 0.01f);
  for (float& v : a) v = std::floor(v);
  for (std::size_t z : zeros) a.data()[z] = 0.0f;
  return a;
}

// A layer without an exporter: multiplies by a learned vector.
class Scale : public Layer {
 public:
  struct Options { std::string name = {}; };
  explicit Scale(Options o) : Layer("TestScale", o.name) {}
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& s) const override { return s; }
  Tensor gamma() const { return gamma_; }

 protected:
  void build(const std::vector<PartialShape>& shapes) override {
    gamma_ = add_weight("gamma", {known_last_dim(shapes[0])}, initializers::random_uniform(0.5f, 1.5f));
  }
  std::vector<Tensor> call(const std::vector<Tensor>& in, const CallContext&) override { return {in[0] * gamma_}; }

 private:
  Tensor gamma_;
};

}  // namespace

TEST_CASE("ONNX export: Sequential of Dense, Dropout, Activation and Flatten") {
  set_random_seed(11);
  Sequential model({.input_shape = {3, 4}});
  model->add(Dense({.units = 5, .activation = "relu"}));
  model->add(Dropout({.rate = 0.5f}));
  model->add(Flatten());
  model->add(Dense({.units = 6, .activation = "tanh"}));
  model->add(Activation({.activation = "sigmoid"}));
  model->add(Dense({.units = 4, .activation = "softmax", .use_bias = false}));
  check_export(*model, {random_array({5, 3, 4}, 1)});
}

TEST_CASE("ONNX export: the seed's GRU encoder-decoder with Bahdanau attention, dynamic time axes") {
  set_random_seed(12);
  auto encoder_inputs = Input({unknown_dim, 7}, "encoder_inputs");
  auto decoder_inputs = Input({unknown_dim, 6}, "decoder_inputs");
  GRU encoder_gru({.units = 8, .return_sequences = true, .return_state = true, .name = "encoder_gru"});
  GRU decoder_gru({.units = 8, .return_sequences = true, .return_state = true, .name = "decoder_gru"});
  BahdanauAttention attention({.name = "attention_layer"});
  auto [encoder_out, encoder_state] = encoder_gru(encoder_inputs).unpack<2>();
  auto [decoder_out, decoder_state] = decoder_gru({decoder_inputs, encoder_state}).unpack<2>();
  auto [context, weights] = attention({encoder_out, decoder_out}).unpack<2>();
  SymbolicTensor merged = Concatenate({.axis = -1})({decoder_out, context});
  SymbolicTensor probs = TimeDistributed({.layer = Dense({.units = 6, .activation = "softmax"})})(merged);
  Functional model({encoder_inputs, decoder_inputs}, {probs, weights, decoder_state}, "nmt");
  check_export(*model, {random_array({3, 5, 7}, 2), random_array({3, 4, 6}, 3)});
  // The same file serves other lengths: the time axes are dynamic.
  check_export(*model, {random_array({2, 9, 7}, 4), random_array({2, 1, 6}, 5)});
}

TEST_CASE("ONNX export: GRU and LSTM options (go_backwards, states, last output only)") {
  set_random_seed(13);
  auto x = Input({unknown_dim, 5}, "x");
  auto h0 = Input({6}, "h0");
  auto c0 = Input({6}, "c0");
  LSTM lstm({.units = 6, .return_sequences = true, .return_state = true, .go_backwards = true, .name = "lstm"});
  auto [seq, h, c] = lstm({x, h0, c0}).unpack<3>();
  SymbolicTensor last = GRU({.units = 4, .go_backwards = true, .name = "gru_back"})(seq);
  SymbolicTensor lstm_last = LSTM({.units = 3, .name = "lstm_last"})(x);
  SymbolicTensor gru_nobias = GRU({.units = 3, .use_bias = false, .return_sequences = true, .name = "gru_nobias"})(x);
  Functional model({x, h0, c0}, {seq, h, c, last, lstm_last, gru_nobias}, "recurrent");
  check_export(*model, {random_array({4, 7, 5}, 6), random_array({4, 6}, 7), random_array({4, 6}, 8)});
}

TEST_CASE("ONNX export: Bidirectional GRU and LSTM, every merge mode") {
  set_random_seed(14);
  auto x = Input({unknown_dim, 5}, "x");
  auto concat = Bidirectional({.layer = GRU({.units = 4, .return_sequences = true}), .name = "bi_concat"})(x);
  auto sum = Bidirectional({.layer = LSTM({.units = 3, .return_sequences = true}), .merge_mode = "sum", .name = "bi_sum"})(x);
  auto mul = Bidirectional({.layer = GRU({.units = 3}), .merge_mode = "mul", .name = "bi_mul"})(x);
  auto states = Bidirectional({.layer = LSTM({.units = 2, .return_state = true}), .merge_mode = "ave", .name = "bi_states"})(x);
  Functional model({x}, {concat, sum, mul, states[0], states[1], states[2], states[3], states[4]}, "bidirectional");
  check_export(*model, {random_array({3, 6, 5}, 9)});
}

TEST_CASE("ONNX export: masks from Embedding(mask_zero) through recurrences and attention") {
  set_random_seed(15);
  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim, 4}, "target");
  auto embedded = Embedding({.input_dim = 9, .output_dim = 5, .mask_zero = true, .name = "embedding"})(source);
  auto [encoded, state] = GRU({.units = 4, .return_sequences = true, .return_state = true, .name = "encoder"})(embedded).unpack<2>();
  auto backwards = LSTM({.units = 3, .return_sequences = true, .go_backwards = true, .name = "backwards"})(embedded);
  auto zeroed = GRU({.units = 3, .return_sequences = true, .zero_output_for_mask = true, .name = "zeroed"})(embedded);
  auto last = LSTM({.units = 3, .name = "last"})(embedded);
  auto bi = Bidirectional({.layer = GRU({.units = 2, .return_sequences = true}), .name = "bi"})(embedded);
  auto decoded = GRU({.units = 4, .return_sequences = true, .name = "decoder"})({target, state});
  auto [context, weights] = LuongAttention({.score = "general", .name = "luong"})({encoded, decoded}).unpack<2>();
  auto [b_context, b_weights] = BahdanauAttention({.name = "bahdanau"})({encoded, decoded}).unpack<2>();
  Functional model({source, target}, {encoded, state, backwards, zeroed, last, bi, context, weights, b_weights}, "masked");
  // Row 0 has a hole in the middle, row 1 is padded at the end, row 2 at the
  // start, row 3 has no padding.
  const Array source_ids = ids({4, 6}, 9, 21, {2, 3, 6 + 4, 6 + 5, 12 + 0, 12 + 1});
  check_export(*model, {source_ids, random_array({4, 3, 4}, 22)});
}

TEST_CASE("ONNX export: Luong dot attention and a Sequential nested in a Functional model") {
  set_random_seed(16);
  Sequential block({.input_shape = {unknown_dim, 4}, .name = "block"});
  block->add(Dense({.units = 4, .activation = "tanh"}));
  block->add(TimeDistributed({.layer = Dense({.units = 4})}));
  auto encoder_out = Input({unknown_dim, 4}, "encoder_out");
  auto decoder_out = Input({unknown_dim, 4}, "decoder_out");
  auto [context, weights] = LuongAttention({.name = "dot"})({block(encoder_out), decoder_out}).unpack<2>();
  Functional model({encoder_out, decoder_out}, {context, weights}, "nested");
  check_export(*model, {random_array({2, 5, 4}, 31), random_array({2, 3, 4}, 32)});
}

TEST_CASE("ONNX export: a layer without an exporter is named; the registry is the custom-layer hook") {
  set_random_seed(17);
  Sequential model({.input_shape = {3}, .name = "custom"});
  auto scale = std::make_shared<Scale>(Scale::Options{.name = "my_scale"});
  model->add(Dense({.units = 3}));
  model->add(scale);
  OnnxTempDir dir;
  CHECK_THROWS_WITH_AS(export_onnx(*model, dir / "m.onnx"),
                       doctest::Contains("TestScale 'my_scale' has no ONNX exporter"), Error);
  CHECK_FALSE(std::filesystem::exists(dir / "m.onnx"));

  onnx_export::register_exporter("TestScale", [](const Layer& layer, const onnx_export::LayerInputs& in,
                                                 onnx_export::GraphBuilder& g) {
    const auto& s = onnx_export::layer_as<Scale>(layer);
    const std::string gamma = g.initializer(layer.name() + "/gamma", s.gamma().value());
    // Scale does not support masking: its output carries none, as in kiln.
    return onnx_export::LayerOutputs{{g.node1("Mul", {in.values[0], gamma}, layer.name() + "/Mul")}};
  });
  check_export(*model, {random_array({4, 3}, 41)});
}

TEST_CASE("ONNX export: a subclassed model is refused with the reason") {
  class Sub : public Model {
   public:
    Sub() : Model("Sub", "sub") {}
   protected:
    std::vector<Tensor> call(const std::vector<Tensor>& in, const CallContext&) override { return in; }
  };
  Sub model;
  OnnxTempDir dir;
  CHECK_THROWS_WITH_AS(export_onnx(model, dir / "m.onnx"), doctest::Contains("subclassed model"), Error);
}
