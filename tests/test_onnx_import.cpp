// ONNX import: graphs written by PyTorch 1.13's torch.onnx.export
// (tests/golden/onnx/, from scripts/references/pytorch_onnx.py) give
// PyTorch's outputs and gradients within 1e-5, and train; bad files and
// unsupported operators are errors that say which.

#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "kiln.hpp"
#include "onnx/graph_builder.hpp"
#include "onnx/import/imported_model.hpp"
#include "onnx_support.hpp"
#include "support.hpp"

using namespace kiln;
using namespace kiln::testing;

namespace {

constexpr double tolerance = 1e-5;

std::string golden_onnx(const std::string& file) { return std::string(KILN_SOURCE_DIR) + "/tests/golden/onnx/" + file; }

Array array_of(const nlohmann::json& j) {
  Array a = Array::from_shape(j.at("shape").get<Shape>());
  const auto data = j.at("data").get<std::vector<float>>();
  REQUIRE(data.size() == a.size());
  std::copy(data.begin(), data.end(), a.begin());
  return a;
}

struct Golden {
  std::shared_ptr<Model> model;
  nlohmann::json record;
  std::vector<Tensor> inputs;
};

Golden load_golden(const std::string& name) {
  Golden g;
  g.model = import_onnx(golden_onnx(name + ".onnx"));
  std::ifstream in(golden_onnx(name + ".json"));
  g.record = nlohmann::json::parse(in);
  const auto& names = dynamic_cast<const onnx_import::ImportedModel&>(*g.model).input_names();
  for (const auto& n : names) g.inputs.emplace_back(array_of(g.record.at("inputs").at(n)));
  return g;
}

Tensor weight_named(const Model& model, const std::string& name) {
  for (const auto& [n, t] : model.named_weights()) {
    if (n == name) return t;
  }
  FAIL("no weight " << name);
  return {};
}

// Outputs and the gradients of sum(outputs[0] * probe) match PyTorch's.
void check_golden(const std::string& name) {
  INFO(name);
  Golden g = load_golden(name);
  GradientTape tape;
  const std::vector<Tensor> out = (*g.model)(g.inputs);
  const auto names = g.model->output_names();
  REQUIRE(out.size() == names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO("output " << names[i]);
    const Array want = array_of(g.record.at("outputs").at(names[i]));
    REQUIRE(out[i].shape() == want.shape());
    CHECK(max_abs_diff(out[i].value(), want) <= tolerance);
  }
  const Tensor loss = sum(out[0] * Tensor(array_of(g.record.at("probe"))));
  std::vector<std::string> grad_names;
  std::vector<Tensor> sources;
  for (const auto& [n, value] : g.record.at("gradients").items()) {
    grad_names.push_back(n);
    sources.push_back(weight_named(*g.model, n));
  }
  const auto grads = tape.gradient(loss, sources);
  for (std::size_t i = 0; i < grads.size(); ++i) {
    INFO("gradient of " << grad_names[i]);
    REQUIRE(grads[i].defined());
    CHECK(max_abs_diff(grads[i].value(), array_of(g.record.at("gradients").at(grad_names[i]))) <= tolerance);
  }
}

}  // namespace

TEST_CASE("ONNX import: PyTorch's Embedding + GRU encoder + LSTM decoder + Linear + softmax seq2seq") {
  check_golden("seq2seq_gru_lstm");
}

TEST_CASE("ONNX import: PyTorch's bidirectional time-major GRU with Gemm and log-softmax") {
  check_golden("bidirectional_gru");
}

TEST_CASE("ONNX import: PyTorch's two-layer LSTM with initial states") { check_golden("stacked_lstm"); }

TEST_CASE("ONNX import: the imported seq2seq works on other shapes and fine-tunes") {
  Golden g = load_golden("seq2seq_gru_lstm");
  // Longer sequences and a bigger batch than the export's: the plumbing
  // computes the initial states from the batch at run time.
  const Array src = Array({{1, 2, 3, 4, 5, 6}, {7, 8, 9, 10, 1, 2}, {3, 3, 3, 3, 3, 3}});
  const Array tgt = Array({{4, 5}, {6, 7}, {8, 9}});
  const std::vector<Tensor> out = (*g.model)({Tensor(src), Tensor(tgt)});
  REQUIRE(out[0].shape() == Shape{3, 2, 11});

  // Targets: the next source id, one-hot. A few Adam steps lower the loss.
  Array y = Array(Shape{3, 2, 11}, 0.0f);
  for (std::size_t b = 0; b < 3; ++b) {
    for (std::size_t t = 0; t < 2; ++t) y(b, t, std::size_t(src(b, t + 1))) = 1.0f;
  }
  g.model->compile({.optimizer = std::make_shared<Adam>(Adam::Options{.learning_rate = 0.03f}),
                    .loss = "categorical_crossentropy"});
  const double before = g.model->evaluate({src, tgt}, {y}, 3).at("loss");
  g.model->fit({src, tgt}, {y}, {.batch_size = 3, .epochs = 30, .verbose = 0});
  const double after = g.model->evaluate({src, tgt}, {y}, 3).at("loss");
  CHECK(after < 0.5 * before);
  CHECK(g.model->trainable_weights().size() == g.model->named_weights().size());
}

TEST_CASE("ONNX import: what kiln cannot read is an error that says so") {
  OnnxTempDir dir;
  SUBCASE("not an ONNX file") {
    std::ofstream(dir / "junk.onnx") << "this is not protobuf \x01\x02\xff";
    CHECK_THROWS_AS(import_onnx(dir / "junk.onnx"), FormatError);
  }
  SUBCASE("an unsupported operator is named with its node") {
    ::onnx::ModelProto proto;
    proto.set_ir_version(8);
    proto.add_opset_import()->set_version(17);
    onnx_export::GraphBuilder g(*proto.mutable_graph());
    onnx_export::set_float_value_info(*proto.mutable_graph()->add_input(), "x", {{0, "batch"}, {3, ""}});
    const std::string y = g.node1("Celu", {"x"}, "my_celu");
    onnx_export::set_float_value_info(*proto.mutable_graph()->add_output(), y, {{0, "batch"}, {3, ""}});
    std::ofstream(dir / "celu.onnx", std::ios::binary) << proto.SerializeAsString();
    CHECK_THROWS_WITH_AS(import_onnx(dir / "celu.onnx"), doctest::Contains("node 'my_celu' (Celu): operator 'Celu' is not supported"),
                         Error);
  }
  SUBCASE("a GRU kiln's fused op does not run (linear_before_reset = 0)") {
    ::onnx::ModelProto proto;
    proto.set_ir_version(8);
    proto.add_opset_import()->set_version(17);
    onnx_export::GraphBuilder g(*proto.mutable_graph());
    onnx_export::set_float_value_info(*proto.mutable_graph()->add_input(), "x", {{0, "time"}, {0, "batch"}, {2, ""}});
    const std::string W = g.initializer("W", Array(Shape{1, 6, 2}, 0.1f));
    const std::string R = g.initializer("R", Array(Shape{1, 6, 2}, 0.1f));
    const auto outs = g.node("GRU", {"x", W, R}, 2, "gru", {onnx_export::int_attribute("hidden_size", 2)});
    onnx_export::set_float_value_info(*proto.mutable_graph()->add_output(), outs[1], {{1, ""}, {0, "batch"}, {2, ""}});
    std::ofstream(dir / "gru.onnx", std::ios::binary) << proto.SerializeAsString();
    auto model = import_onnx(dir / "gru.onnx");
    CHECK_THROWS_WITH_AS((*model)(Tensor(random_array({3, 1, 2}, 5))), doctest::Contains("linear_before_reset=0"), Error);
  }
}
