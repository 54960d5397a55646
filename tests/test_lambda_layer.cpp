// Lambda: a C++ function as a layer, its output shapes (given or inferred by
// running it), gradients through it, and saving: a registered function is
// saved by name and found again by load_model, an unregistered one fails
// naming it.

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "layer_round_trip.hpp"
#include "layers/dense.hpp"
#include "layers/lambda_layer.hpp"
#include "models/model_file.hpp"
#include "models/sequential.hpp"
#include "ops/arithmetic.hpp"
#include "ops/reductions.hpp"
#include "ops/reshape.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::max_abs_diff;
using kiln::testing::random_array;
using json = nlohmann::json;

TEST_CASE("a Lambda applies its function, and gradients flow through it") {
  Lambda square({.function = [](const Tensor& x) { return x * x; }});
  Tensor x = Tensor::parameter(random_array({2, 3}, 1), "x");
  CHECK(max_abs_diff(Tensor(square(x)).value(), Array(x.value() * x.value())) == 0.0);
  CHECK_GRADIENTS([&] { return Tensor(square(x)); }, {x});

  Lambda difference({.function = [](const std::vector<Tensor>& in) { return in[0] - in[1]; }});
  Tensor y = Tensor::parameter(random_array({2, 3}, 2), "y");
  CHECK_GRADIENTS([&] { return Tensor(difference({x, y})); }, {x, y});

  Lambda noisy({.function = [](const std::vector<Tensor>& in, const CallContext& c) {
    return std::vector<Tensor>{c.training ? in[0] + 1.0f : in[0]};
  }});
  CHECK(Tensor(noisy(x, {.training = true})).value()(0, 0) == doctest::Approx(x.value()(0, 0) + 1.0f));
  CHECK_THROWS_WITH_AS(Lambda({.function = [](const Tensor& t) { return t; }, .name = "one"})({x, y}),
                       "Lambda 'one': the function takes one tensor; the layer was called on 2", ShapeError);
  CHECK_THROWS_WITH_AS(Lambda({.name = "empty"}), "Lambda 'empty': needs a function", Error);
}

TEST_CASE("a Lambda's output shape: inferred by running it, keeping unknown dimensions unknown, or given") {
  Lambda pairs({.function = [](const Tensor& x) { return reshape(x, {long(x.shape(0)), -1, 2}); }});
  CHECK(pairs->compute_output_shape({{unknown_dim, 3, 4}}).at(0) == PartialShape{unknown_dim, 6, 2});
  CHECK(pairs->compute_output_shape({{unknown_dim, unknown_dim, 4}}).at(0) == PartialShape{unknown_dim, unknown_dim, 2});
  Lambda total({.function = [](const Tensor& x) { return sum(x, 1); }});
  CHECK(total->compute_output_shape({{unknown_dim, unknown_dim, 5}}).at(0) == PartialShape{unknown_dim, 5});
  // Given: a function of the input shapes, or a fixed shape without the batch axis.
  Lambda given({.function = [](const Tensor& x) { return x; },
                .output_shape = [](const PartialShape& s) { return PartialShape{s[0], 99}; }});
  CHECK(given->compute_output_shape({{unknown_dim, 4}}).at(0) == PartialShape{unknown_dim, 99});
  Lambda fixed({.function = [](const Tensor& x) { return x; }, .output_shape = PartialShape{7, 3}});
  CHECK(fixed->compute_output_shape({{5, 21}}).at(0) == PartialShape{5, 7, 3});
  // In a Sequential with a declared input shape, the next layer is built from it.
  Sequential model({.layers = {Lambda({.function = [](const Tensor& x) { return sum(x, 1); }}), Dense({.units = 2})},
                    .input_shape = {unknown_dim, 5}});
  CHECK(model->compute_output_shape({{unknown_dim, unknown_dim, 5}}).at(0) == PartialShape{unknown_dim, 2});
  Lambda fails({.function = [](const Tensor& x) { return reshape(x, {long(x.shape(0)), 7}); }, .name = "seven"});
  CHECK_THROWS_WITH_AS(fails->compute_output_shape({{unknown_dim, 3}}),
                       doctest::Contains("Lambda 'seven': could not infer the output shape by running the function"),
                       ShapeError);
}

TEST_CASE("a registered Lambda is saved by name and load_model finds it; an unknown name fails naming it") {
  const auto scale = register_lambda_function("test_lambda_scale", [](const Tensor& x) { return x * 3.0f; });
  const auto shape = register_lambda_output_shape("test_lambda_same_shape",
                                                  [](const std::vector<PartialShape>& s) { return s; });
  Lambda times_three({.function = scale, .output_shape = shape, .name = "times_three"});
  Sequential model({.layers = {Dense({.units = 4, .name = "d"}), times_three}, .input_shape = {3}});
  const json config = times_three->get_config();
  CHECK(config.at("function") ==
        json{{"module", "kiln"}, {"class_name", "function"}, {"config", "test_lambda_scale"},
             {"registered_name", "test_lambda_scale"}});
  CHECK(config.at("output_shape").at("config") == "test_lambda_same_shape");
  CHECK(config.at("arguments") == json::object());
  kiln::testing::check_config_round_trip(*times_three);
  const std::vector<Array> x{random_array({5, 3}, 3)};
  kiln::testing::check_save_load(*model, x);

  // The same file naming a function nobody registered.
  kiln::testing::ScratchDir dir;
  save_model(*model, dir / "m");
  std::ifstream in(dir / "m" / "model.json");
  json file = json::parse(in);
  in.close();
  file["config"]["layers"][1]["config"]["function"]["config"] = "no_such_function";
  std::ofstream(dir / "m" / "model.json") << file.dump(2);
  CHECK_THROWS_WITH_AS(load_model(dir / "m"),
                       doctest::Contains("Lambda: no function is registered as 'no_such_function'; register it with "
                                         "register_lambda_function(\"no_such_function\", ...)"),
                       Error);
}

TEST_CASE("a Lambda that cannot be saved says why") {
  Sequential model({.layers = {Lambda({.function = [](const Tensor& x) { return x; }, .name = "anonymous"})},
                    .input_shape = {3}});
  kiln::testing::ScratchDir dir;
  CHECK_THROWS_WITH_AS(save_model(*model, dir / "m"),
                       doctest::Contains("Lambda 'anonymous': its function has no name, so the layer cannot be saved"),
                       Error);
  CHECK_THROWS_WITH_AS(
      layer_from_config("Lambda", json{{"function", {{"class_name", "__lambda__"}, {"config", {{"code", "..."}}}}}}),
      doctest::Contains("Lambda: 'function' is Python bytecode (a Keras lambda), which kiln cannot run"), FormatError);
  register_lambda_function("test_lambda_identity", [](const Tensor& x) { return x; });
  CHECK_THROWS_WITH_AS(layer_from_config("Lambda", json{{"function", "test_lambda_identity"}, {"arguments", {{"k", 2}}}}),
                       doctest::Contains("'arguments' are not supported by kiln"), FormatError);
  CHECK(layer_from_config("Lambda", json{{"function", "test_lambda_identity"}, {"output_shape", {4, nullptr}}})
            ->compute_output_shape({{unknown_dim, 8}})
            .at(0) == PartialShape{unknown_dim, 4, unknown_dim});
}
