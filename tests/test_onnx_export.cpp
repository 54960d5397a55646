// ONNX export: every exported model passes onnx.checker, ONNX Runtime
// computes kiln's outputs within 1e-5, and kiln's import reads it back to
// the same outputs (tests/onnx_support.hpp; each check
// is skipped with a note where its tool is absent).

#include <algorithm>

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

// Whether two masks are the same: equal (a mask is 0/1), or both absent. A
// mask input fed ones stands for no mask, so where kiln has none, ones are
// the same too.
void check_same_mask(const Mask& got, const Mask& expected, const std::string& what) {
  INFO(what);
  if (!expected) {
    if (got) CHECK(xt::all(xt::equal(*got, 1.0f)));
    return;
  }
  REQUIRE(got);
  REQUIRE(got->shape() == expected->shape());
  CHECK(max_abs_diff(*got, *expected) == 0.0);
}

// Exports `model` with `options`, validates the file and compares ONNX
// Runtime's outputs on `inputs` (and the call's `masks`, one per input or
// fewer, fed to the graph's mask inputs) with kiln's own inference outputs,
// and kiln's import of the file likewise, masks included.
void check_export(Model& model, const std::vector<Array>& inputs, const std::vector<const Array*>& masks = {},
                  const OnnxExportOptions& options = {}) {
  OnnxTempDir dir;
  const auto path = dir / "model.onnx";
  export_onnx(model, path, options);
  REQUIRE(std::filesystem::file_size(path) > 0);
  if (auto report = onnx_checker_report(path)) CHECK_MESSAGE(report->empty(), *report);

  std::vector<Tensor> tensors(inputs.begin(), inputs.end());
  const std::vector<Tensor> expected = model(tensors, {.masks = masks});
  const std::vector<std::string> names = input_names(model);
  std::map<std::string, Array> feeds;
  for (std::size_t i = 0; i < inputs.size(); ++i) feeds.emplace(names.at(i), inputs[i]);
  for (const auto& name : options.masked_inputs) {
    const std::size_t i = std::size_t(std::find(names.begin(), names.end(), name) - names.begin());
    const Array* given = i < masks.size() ? masks[i] : nullptr;
    // No mask given: ones, which the graph computes as no mask.
    feeds.emplace(name + "_mask", given ? *given : Array(xt::ones<float>({inputs[i].shape(0), inputs[i].shape(1)})));
  }
  // kiln reads its own export back to the same outputs, and the same masks
  // where the file has them.
  const auto imported = import_onnx(path);
  REQUIRE(imported->output_names() == model.output_names());
  const std::vector<Tensor> reread = (*imported)(tensors, {.masks = masks});
  REQUIRE(reread.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("imported output " << i);
    CHECK(max_abs_diff(reread[i].value(), expected[i].value()) <= tolerance);
    if (options.output_masks) check_same_mask(reread[i].mask(), expected[i].mask(), "imported mask");
  }

  const auto results = run_onnxruntime(path, feeds);
  if (!results) return;
  const auto outputs = model.output_names();
  std::size_t mask_outputs = 0;
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    INFO("output " << outputs[i]);
    const Array& got = results->at(outputs[i]);
    REQUIRE(got.shape() == expected[i].shape());
    CHECK(max_abs_diff(got, expected[i].value()) <= tolerance);
    const auto mask = results->find(outputs[i] + "_mask");
    if (mask != results->end()) ++mask_outputs;
    if (options.output_masks) {
      check_same_mask(mask == results->end() ? nullptr : std::make_shared<const Array>(mask->second),
                      expected[i].mask(), "ONNX Runtime's mask");
    }
  }
  CHECK(results->size() == outputs.size() + mask_outputs);
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

TEST_CASE("ONNX export: SimpleRNN as ONNX's RNN op (activations, go_backwards, states, no bias, masks)") {
  set_random_seed(31);
  auto x = Input({unknown_dim, 5}, "x");
  auto h0 = Input({4}, "h0");
  SimpleRNN tanh_rnn({.units = 4, .return_sequences = true, .return_state = true, .go_backwards = true,
                      .bias_initializer = "random_uniform", .name = "tanh_rnn"});
  auto [seq, h] = tanh_rnn({x, h0}).unpack<2>();
  SymbolicTensor relu_last = SimpleRNN({.units = 3, .activation = "relu", .name = "relu_rnn"})(x);
  SymbolicTensor sigmoid_seq =
      SimpleRNN({.units = 3, .activation = "sigmoid", .use_bias = false, .return_sequences = true, .name = "sig"})(seq);
  Functional model({x, h0}, {seq, h, relu_last, sigmoid_seq}, "simple_rnn");
  check_export(*model, {random_array({3, 6, 5}, 32), random_array({3, 4}, 33)});

  auto ids_in = Input({unknown_dim}, "ids");
  auto embedded = Embedding({.input_dim = 7, .output_dim = 5, .mask_zero = true, .name = "embedding"})(ids_in);
  auto masked_seq = SimpleRNN({.units = 3, .return_sequences = true, .name = "masked_rnn"})(embedded);
  auto masked_last = SimpleRNN({.units = 2, .go_backwards = true, .name = "masked_last"})(embedded);
  Functional masked({ids_in}, {masked_seq, masked_last}, "masked_simple_rnn");
  check_export(*masked, {ids({3, 5}, 7, 34, {1, 2, 5 + 4, 10 + 0})});

  SimpleRNN elu({.units = 2, .activation = "elu", .name = "elu_rnn"});
  Functional refused({x}, {elu(x)}, "refused");
  CHECK_THROWS_WITH_AS(export_onnx(*refused, "unused.onnx"), doctest::Contains("SimpleRNN 'elu_rnn': activation 'elu'"),
                       Error);
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
  // With the masks kiln attaches to the outputs (the sequences' and the
  // encoder's, not the state's or the weights') as outputs of their own.
  check_export(*model, {source_ids, random_array({4, 3, 4}, 22)}, {}, {.output_masks = true});
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

namespace {

// Ids with trailing padding (0): row b keeps its first lengths[b] steps.
Array padded_ids(const std::vector<std::size_t>& lengths, std::size_t time, float first_id) {
  Array a = xt::zeros<float>({lengths.size(), time});
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    for (std::size_t t = 0; t < lengths[b]; ++t) a(b, t) = first_id + float((b + t) % 3);
  }
  return a;
}

}  // namespace

TEST_CASE("ONNX export: two inputs with different padding; each layer gets the masks of its own inputs") {
  set_random_seed(18);
  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim}, "target");
  auto features = Input({unknown_dim, 2}, "features");
  auto source_embedded = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true, .name = "source_embedding"})(source);
  auto target_embedded = Embedding({.input_dim = 6, .output_dim = 4, .mask_zero = true, .name = "target_embedding"})(target);
  auto [encoded, state] = GRU({.units = 3, .return_sequences = true, .return_state = true, .name = "encoder"})(source_embedded).unpack<2>();
  SymbolicTensor decoded = GRU({.units = 3, .return_sequences = true, .name = "decoder"})({target_embedded, state});
  auto [context, weights] = BahdanauAttention({.name = "attention"})({encoded, decoded}).unpack<2>();
  // The context carries the decoder's (the target's) mask, not the encoder's.
  SymbolicTensor over_context = GRU({.units = 2, .return_sequences = true, .name = "over_context"})(context);
  // Features joined: a step is kept where either input keeps it (both the target's here).
  SymbolicTensor joined = Concatenate({.axis = -1, .name = "joined"})({decoded, context});
  SymbolicTensor over_joined = LSTM({.units = 2, .return_sequences = true, .go_backwards = true, .name = "over_joined"})(joined);
  // Steps joined: the source's mask then the target's.
  SymbolicTensor both = Concatenate({.axis = 1, .name = "both"})({source_embedded, target_embedded});
  SymbolicTensor over_both = GRU({.units = 2, .return_sequences = true, .name = "over_both"})(both);
  // A masked and an unmasked input: ones stand for the missing mask.
  SymbolicTensor with_features = Concatenate({.axis = 1, .name = "with_features"})(
      {Dense({.units = 2, .name = "squeeze"})(target_embedded), features});
  SymbolicTensor over_features = GRU({.units = 2, .return_sequences = true, .name = "over_features"})(with_features);
  Functional model({source, target, features},
                   {decoded, context, weights, over_context, over_joined, over_both, over_features}, "two_paddings");

  // Source rows keep 2 and 4 steps, target rows 3 and 1 (and row 1 of the
  // target has a hole later, which the time-joined mask must keep).
  const Array source_ids = padded_ids({2, 4}, 4, 1.0f);
  Array target_ids = padded_ids({3, 1}, 3, 2.0f);
  target_ids(1, 2) = 4.0f;
  const Array feature_values = random_array({2, 2, 2}, 19);

  // kiln itself: the decoder's output and the context carry the target's mask.
  const auto out = model({Tensor(source_ids), Tensor(target_ids), Tensor(feature_values)});
  const Array target_mask = xt::not_equal(target_ids, 0.0f);
  REQUIRE(out[1].mask());
  CHECK(*out[1].mask() == target_mask);
  // The GRU over the context skipped the target's padding (row 1, step 1 repeats step 0).
  CHECK(xt::allclose(xt::view(out[3].value(), 1, 1), xt::view(out[3].value(), 1, 0), 0.0, 0.0));

  check_export(*model, {source_ids, target_ids, feature_values}, {}, {.output_masks = true});
}

TEST_CASE("ONNX export: masks given to the model's call are mask inputs of the graph, one per input") {
  set_random_seed(19);
  auto a = Input({unknown_dim, 2}, "a");
  auto b = Input({unknown_dim, 2}, "b");
  auto c = Input({unknown_dim, 3}, "c");
  SymbolicTensor seq_a = GRU({.units = 2, .return_sequences = true, .name = "gru_a"})(a);
  SymbolicTensor seq_b = Bidirectional({.layer = LSTM({.units = 2, .return_sequences = true}), .name = "bi_b"})(b);
  auto [context, weights] = LuongAttention({.name = "luong"})({seq_a, Dense({.units = 2, .name = "project"})(seq_b)}).unpack<2>();
  SymbolicTensor last_c = GRU({.units = 2, .name = "gru_c"})(c);  // c is never masked
  Functional model({a, b, c}, {seq_a, seq_b, context, weights, last_c}, "call_masks");

  const Array x = random_array({2, 4, 2}, 20);
  const Array y = random_array({2, 3, 2}, 21);
  const Array z = random_array({2, 3, 3}, 22);
  const Array mask_a = {{1.0f, 0.0f, 1.0f, 1.0f}, {1.0f, 1.0f, 1.0f, 0.0f}};
  const Array mask_b = {{1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 1.0f}};
  const OnnxExportOptions options{.masked_inputs = {"a", "b"}, .output_masks = true};
  check_export(*model, {x, y, z}, {&mask_a, &mask_b}, options);
  // A mask for b only: a's mask input is fed ones, the same as none.
  check_export(*model, {x, y, z}, {nullptr, &mask_b}, options);
  // No masks at all.
  check_export(*model, {x, y, z}, {}, options);
}

TEST_CASE("ONNX export: a Sequential model's mask input, through Dense, a recurrence and TimeDistributed") {
  set_random_seed(20);
  Sequential model({.input_shape = {unknown_dim, 3}, .name = "masked_stack"});
  model->add(Dense({.units = 4, .activation = "tanh"}));
  model->add(GRU({.units = 3, .return_sequences = true, .zero_output_for_mask = true}));
  model->add(TimeDistributed({.layer = Dense({.units = 2})}));
  const Array mask = {{1.0f, 1.0f, 0.0f, 0.0f, 0.0f}, {1.0f, 0.0f, 1.0f, 1.0f, 1.0f}};
  check_export(*model, {random_array({2, 5, 3}, 23)}, {&mask}, {.masked_inputs = {"input"}, .output_masks = true});
}

TEST_CASE("ONNX export: a nested Functional model gets its inputs' masks and gives its outputs' back") {
  set_random_seed(21);
  auto encoded_in = Input({unknown_dim, 3}, "encoded_in");
  auto decoded_in = Input({unknown_dim, 3}, "decoded_in");
  auto [context, weights] = BahdanauAttention({.name = "inner_attention"})({encoded_in, decoded_in}).unpack<2>();
  SymbolicTensor merged = Concatenate({.name = "inner_merge"})({decoded_in, context});
  Functional inner({encoded_in, decoded_in}, {merged, weights}, "inner");

  auto source = Input({unknown_dim}, "source");
  auto target = Input({unknown_dim}, "target");
  SymbolicTensor encoded = GRU({.units = 3, .return_sequences = true, .name = "encoder"})(
      Embedding({.input_dim = 7, .output_dim = 3, .mask_zero = true, .name = "source_embedding"})(source));
  SymbolicTensor decoded = GRU({.units = 3, .return_sequences = true, .name = "decoder"})(
      Embedding({.input_dim = 7, .output_dim = 3, .mask_zero = true, .name = "target_embedding"})(target));
  auto inner_out = inner({encoded, decoded});
  // The nested model's first output carries the target's mask out to this GRU.
  SymbolicTensor after = GRU({.units = 2, .return_sequences = true, .name = "after"})(inner_out[0]);
  Functional model({source, target}, {after, inner_out[1]}, "outer");
  check_export(*model, {padded_ids({3, 1, 2}, 3, 1.0f), padded_ids({1, 2, 4}, 4, 2.0f)}, {}, {.output_masks = true});
}

TEST_CASE("ONNX export: mask inputs that cannot be made are errors that say why") {
  set_random_seed(22);
  auto x = Input({unknown_dim, 2}, "x");
  auto clash = Input({unknown_dim, 2}, "x_mask");
  Functional model({x, clash}, {GRU({.units = 2})(x), GRU({.units = 2})(clash)}, "clash");
  OnnxTempDir dir;
  CHECK_THROWS_WITH_AS(export_onnx(*model, dir / "m.onnx", {.masked_inputs = {"y"}}),
                       doctest::Contains("masked input 'y' is not one of its inputs ('x', 'x_mask')"), Error);
  CHECK_THROWS_WITH_AS(export_onnx(*model, dir / "m.onnx", {.masked_inputs = {"x"}}),
                       doctest::Contains("the mask input name 'x_mask' is used twice"), Error);
  CHECK_THROWS_WITH_AS(export_onnx(*model, dir / "m.onnx", {.masked_inputs = {"x_mask", "x_mask"}}),
                       doctest::Contains("input 'x_mask' is masked twice"), Error);
  CHECK_FALSE(std::filesystem::exists(dir / "m.onnx"));

  // The import checks a mask given for a masked input against its input.
  export_onnx(*model, dir / "m.onnx", {.masked_inputs = {"x_mask"}});
  const auto imported = import_onnx(dir / "m.onnx");
  const Array wrong = xt::ones<float>({2, 4});
  CHECK_THROWS_WITH_AS((*imported)({Tensor(random_array({2, 3, 2}, 1)), Tensor(random_array({2, 3, 2}, 2))},
                                   {.masks = {nullptr, &wrong}}),
                       doctest::Contains("the mask of input 'x_mask' must be (batch, time) = (2, 3), got (2, 4)"),
                       ShapeError);
}
