// The same attention encoder-decoder written in kiln's three API styles
// (issue 4): functional, subclassed, and with a Sequential block inside a
// functional model. Given the same weights, all three compute the same
// predictions, the same gradients, and train to the same weights.
//
// The model (the seed NMT model, smaller):
//   encoder_out, state = GRU(encoder_inputs)              return_state
//   decoder_out, _     = GRU(decoder_inputs, initial_state = state)
//   context, weights   = BahdanauAttention([encoder_out, decoder_out])
//   prediction         = TimeDistributed(Dense(softmax))(Concatenate([decoder_out, context]))

#include <filesystem>
#include <map>
#include <memory>
#include <unistd.h>

#include "graph/backward.hpp"
#include "layers/bahdanau_attention.hpp"
#include "layers/concatenate.hpp"
#include "layers/dense.hpp"
#include "layers/gru.hpp"
#include "layers/time_distributed.hpp"
#include "models/functional.hpp"
#include "models/sequential.hpp"
#include "support.hpp"
#include "training/losses.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;

namespace {

constexpr std::size_t batch = 3, en_time = 5, en_features = 6, fr_time = 4, fr_vocab = 7, hidden = 8;

// Fresh layers with the seed's names, so weights can be matched by name.
struct Seq2SeqLayers {
  GRU encoder_gru{{.units = hidden, .return_sequences = true, .return_state = true, .name = "encoder_gru"}};
  GRU decoder_gru{{.units = hidden, .return_sequences = true, .return_state = true, .name = "decoder_gru"}};
  BahdanauAttention attention{{.name = "attention_layer"}};
  Concatenate concat{{.axis = -1, .name = "concat_layer"}};
  Dense dense{{.units = fr_vocab, .activation = "softmax", .name = "softmax_layer"}};
  TimeDistributed time_distributed{{.layer = dense, .name = "time_distributed_layer"}};
};

// (a) Functional: layers called on symbolic Input()s.
Functional functional_model(Seq2SeqLayers& l) {
  auto encoder_inputs = Input({en_time, en_features}, "encoder_inputs");
  auto decoder_inputs = Input({fr_time, fr_vocab}, "decoder_inputs");
  auto [encoder_out, encoder_state] = l.encoder_gru(encoder_inputs).unpack<2>();
  auto [decoder_out, decoder_state] = l.decoder_gru({decoder_inputs, encoder_state}).unpack<2>();
  auto [context, weights] = l.attention({encoder_out, decoder_out}).unpack<2>();
  SymbolicTensor prediction = l.time_distributed(l.concat({decoder_out, context}));
  return Functional({encoder_inputs, decoder_inputs}, {prediction}, "functional_nmt");
}

// (b) Subclassed: the model owns its layers, tracks them (so their weights
// are found, trained and saved), and writes its forward pass in call().
class SubclassedSeq2Seq : public Model {
 public:
  SubclassedSeq2Seq() : Model("SubclassedSeq2Seq", "subclassed_nmt") {
    track(l_.encoder_gru);
    track(l_.decoder_gru);
    track(l_.attention);
    track(l_.concat);
    track(l_.time_distributed);
  }

 protected:
  void validate_inputs(const std::vector<PartialShape>& shapes) const override {
    expect_inputs(shapes, 2, 3, "[encoder_inputs (batch, time, features), decoder_inputs (batch, time, vocab)]");
  }

  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override {
    const CallContext step{.training = context.training};
    auto [encoder_out, encoder_state] = l_.encoder_gru(inputs[0], step).unpack<2>();
    auto [decoder_out, decoder_state] = l_.decoder_gru({inputs[1], encoder_state}, step).unpack<2>();
    auto [attended, weights] = l_.attention({encoder_out, decoder_out}, step).unpack<2>();
    Tensor joined = l_.concat({decoder_out, attended}, step);
    Tensor prediction = l_.time_distributed(joined, step);
    return {prediction};
  }

 private:
  Seq2SeqLayers l_;
};

// (c) Sequential where it fits. A Sequential takes ONE input and each of its
// layers returns ONE output, so it cannot hold this model: the encoder GRU
// returns [sequence, state], the decoder GRU takes [inputs, state] and the
// attention takes [encoder_out, decoder_out]. The output head is a plain
// stack, so it is a Sequential, called like a layer inside the functional graph.
Functional functional_with_sequential_head(Seq2SeqLayers& l) {
  Sequential head({.layers = {l.time_distributed}, .name = "output_head"});
  auto encoder_inputs = Input({en_time, en_features}, "encoder_inputs");
  auto decoder_inputs = Input({fr_time, fr_vocab}, "decoder_inputs");
  auto [encoder_out, encoder_state] = l.encoder_gru(encoder_inputs).unpack<2>();
  auto [decoder_out, decoder_state] = l.decoder_gru({decoder_inputs, encoder_state}).unpack<2>();
  auto [context, weights] = l.attention({encoder_out, decoder_out}).unpack<2>();
  SymbolicTensor prediction = head(l.concat({decoder_out, context}));
  return Functional({encoder_inputs, decoder_inputs}, {prediction}, "sequential_head_nmt");
}

// Rows of one-hot vectors: (rows..., classes).
Array one_hot_rows(const Shape& shape, std::uint64_t seed) {
  Array out = xt::zeros<float>(shape);
  std::mt19937_64 rng(seed);
  const std::size_t classes = shape.back();
  for (std::size_t row = 0; row < out.size() / classes; ++row) out.data()[row * classes + rng() % classes] = 1.0f;
  return out;
}

struct Data {
  Array encoder_inputs = random_array({batch, en_time, en_features}, 11);
  Array decoder_inputs = one_hot_rows({batch, fr_time, fr_vocab}, 12);
  Array targets = one_hot_rows({batch, fr_time, fr_vocab}, 13);
  std::vector<Array> x() const { return {encoder_inputs, decoder_inputs}; }
};

// What one forward + backward of the cross-entropy gives.
struct Pass {
  Array prediction;
  double loss;
  std::map<std::string, Array> grads;  // by weight position ("#3") and for the inputs
};

Pass forward_backward(Model& model, const Data& data) {
  Tensor encoder_inputs = Tensor::parameter(data.encoder_inputs, "encoder_inputs");
  Tensor decoder_inputs = Tensor::parameter(data.decoder_inputs, "decoder_inputs");
  Tensor prediction = model({encoder_inputs, decoder_inputs});
  Tensor loss = categorical_crossentropy(prediction, data.targets);
  backward(loss);
  Pass pass{prediction.value(), loss.item(), {}};
  auto weights = model.weights();
  for (std::size_t i = 0; i < weights.size(); ++i) {
    pass.grads["#" + std::to_string(i)] = weights[i].grad();
    weights[i].zero_grad();
  }
  pass.grads["encoder_inputs"] = encoder_inputs.grad();
  pass.grads["decoder_inputs"] = decoder_inputs.grad();
  return pass;
}

void check_same_pass(const Pass& got, const Pass& want) {
  CHECK(got.loss == doctest::Approx(want.loss).epsilon(1e-6));
  CHECK_ARRAY_NEAR(got.prediction, want.prediction, 1e-6);
  REQUIRE(got.grads.size() == want.grads.size());
  for (const auto& [name, grad] : want.grads) {
    INFO("gradient " << name);
    REQUIRE(got.grads.count(name) == 1);
    CHECK_ARRAY_NEAR(got.grads.at(name), grad, 1e-6);
  }
}

// Copies every weight of `from` into the weight of the same name in `to`;
// both must have exactly the same names.
void copy_weights_by_name(const Model& from, Model& to) {
  std::map<std::string, Array> source;
  for (const auto& [name, t] : from.named_weights()) source[name] = t.value();
  const auto target = to.named_weights();
  REQUIRE(target.size() == source.size());
  for (auto [name, t] : target) {
    INFO("weight " << name);
    REQUIRE(source.count(name) == 1);
    t.mutable_value() = source.at(name);
  }
}

}  // namespace

TEST_CASE("the functional, subclassed and Sequential-head models have the same weights, by name and order") {
  Seq2SeqLayers a, c;
  Functional functional = functional_model(a);
  auto subclassed = std::make_shared<SubclassedSeq2Seq>();
  Functional with_head = functional_with_sequential_head(c);
  const Data data;

  // A subclassed model, like Keras', creates its weights on its first call.
  CHECK(subclassed->weights().empty());
  (*subclassed)({Tensor(data.encoder_inputs), Tensor(data.decoder_inputs)});

  std::vector<std::string> functional_names, subclassed_names;
  for (const auto& [name, t] : functional->named_weights()) functional_names.push_back(name);
  for (const auto& [name, t] : subclassed->named_weights()) subclassed_names.push_back(name);
  CHECK(subclassed_names == functional_names);
  CHECK(functional_names.front() == "encoder_gru/kernel");
  CHECK(functional_names.back() == "time_distributed_layer/softmax_layer/bias");
  // The head's weights are nested under the Sequential's name.
  CHECK(with_head->named_weights().back().first == "output_head/time_distributed_layer/softmax_layer/bias");

  // GRUs: kernel (features, 3h), recurrent kernel (h, 3h), bias (2, 3h);
  // attention: W_a (h, h), U_a (h, h), V_a (h, 1); Dense: (2h, vocab) + vocab.
  const std::size_t params = (6 * 24 + 8 * 24 + 48) + (7 * 24 + 8 * 24 + 48) + (64 + 64 + 8) + (16 * 7 + 7);
  CHECK(params == 1047);
  CHECK(functional->count_params() == params);
  CHECK(subclassed->count_params() == params);
  CHECK(with_head->count_params() == params);
}

TEST_CASE("the three API styles give the same outputs and gradients for the same weights") {
  Seq2SeqLayers a, c;
  Functional functional = functional_model(a);
  auto subclassed = std::make_shared<SubclassedSeq2Seq>();
  Functional with_head = functional_with_sequential_head(c);
  const Data data;

  const Pass reference = forward_backward(*functional, data);
  // Before the copy, each model has its own random weights.
  CHECK(max_abs_diff(forward_backward(*subclassed, data).prediction, reference.prediction) > 1e-4);

  copy_weights_by_name(*functional, *subclassed);
  with_head->set_weights(functional->get_weights());  // same layer order, different names

  SUBCASE("subclassed") { check_same_pass(forward_backward(*subclassed, data), reference); }
  SUBCASE("Sequential head inside a functional model") { check_same_pass(forward_backward(*with_head, data), reference); }
}

TEST_CASE("the three API styles train to the same weights with compile and train_on_batch") {
  Seq2SeqLayers a, c;
  Functional functional = functional_model(a);
  auto subclassed = std::make_shared<SubclassedSeq2Seq>();
  Functional with_head = functional_with_sequential_head(c);
  const Data data;
  (*subclassed)({Tensor(data.encoder_inputs), Tensor(data.decoder_inputs)});
  copy_weights_by_name(*functional, *subclassed);
  with_head->set_weights(functional->get_weights());

  std::vector<Model*> models{&*functional, subclassed.get(), &*with_head};
  const auto initial = functional->get_weights();
  for (Model* m : models) m->compile({.optimizer = "adam", .loss = "categorical_crossentropy"});
  for (int step = 0; step < 3; ++step) {
    std::vector<double> losses;
    for (Model* m : models) losses.push_back(m->train_on_batch(data.x(), {data.targets}).at("loss"));
    INFO("step " << step);
    CHECK(losses[1] == doctest::Approx(losses[0]).epsilon(1e-6));
    CHECK(losses[2] == doctest::Approx(losses[0]).epsilon(1e-6));
  }
  const auto want = functional->get_weights();
  for (Model* m : {models[1], models[2]}) {
    const auto got = m->get_weights();
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      INFO(m->name() << " weight #" << i);
      CHECK_ARRAY_NEAR(got[i], want[i], 1e-6);
    }
  }
  // And the steps changed them: the models did train.
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(max_abs_diff(want[i], initial[i]) > 1e-5);
}

TEST_CASE("a subclassed model names itself in errors and checks its input count") {
  auto subclassed = std::make_shared<SubclassedSeq2Seq>();
  const Data data;
  CHECK_THROWS_WITH_AS((*subclassed)(Tensor(data.encoder_inputs)),
                       doctest::Contains("SubclassedSeq2Seq 'subclassed_nmt': expected 2 inputs"), ShapeError);
  // It has no symbolic output shape unless it defines one.
  CHECK_THROWS_WITH_AS(subclassed->compute_output_shape({{unknown_dim, 5, 6}, {unknown_dim, 4, 7}}),
                       doctest::Contains("subclassed model has no symbolic output shape"), ShapeError);
}

TEST_CASE("two nested blocks with same-named layers keep distinct weight names, saved and loaded") {
  // A nested model's weights are named under its own name, as Keras groups them.
  auto block = [](const std::string& name) {
    return Sequential({.layers = {Dense({.units = 2, .name = "proj"})}, .name = name});
  };
  Sequential first = block("first_block"), second = block("second_block");
  auto in = Input({3});
  Functional model({in}, {second(first(in))}, "two_blocks");
  std::vector<std::string> names;
  for (const auto& [name, t] : model->named_weights()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"first_block/proj/kernel", "first_block/proj/bias",
                                          "second_block/proj/kernel", "second_block/proj/bias"});

  const auto path = std::filesystem::temp_directory_path() / ("kiln_two_blocks_" + std::to_string(::getpid()) + ".safetensors");
  model->save_weights(path);
  Sequential first_copy = block("first_block"), second_copy = block("second_block");
  auto in_copy = Input({3});
  Functional copy({in_copy}, {second_copy(first_copy(in_copy))}, "two_blocks");
  copy->load_weights(path);
  std::filesystem::remove(path);
  const auto want = model->get_weights(), got = copy->get_weights();
  for (std::size_t i = 0; i < want.size(); ++i) CHECK_ARRAY_NEAR(got[i], want[i], 0.0);
}
