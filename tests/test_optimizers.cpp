// Optimizers: each update rule against steps worked out by hand, Adam
// against the golden seed step, clipping, schedules, weight decay, state
// round trips and bad inputs.

#include <algorithm>
#include <cmath>
#include <functional>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "optimizers/adam.hpp"
#include "optimizers/adamw.hpp"
#include "optimizers/make_optimizer.hpp"
#include "optimizers/rmsprop.hpp"
#include "optimizers/sgd.hpp"
#include "support.hpp"

using namespace kiln;

namespace {

// Gives p the gradient g (replacing any it had), as backward() would.
void set_grad(Tensor& p, const Array& g) {
  p.zero_grad();
  accumulate_grad(p, g);
}

// One step of `opt` on a single parameter with gradient g.
void step(Optimizer& opt, Tensor& p, const Array& g) {
  set_grad(p, g);
  opt.apply_gradients({p});
}

Array values(std::initializer_list<double> v) {
  Array a = Array::from_shape({v.size()});
  std::size_t i = 0;
  for (double x : v) a(i++) = float(x);
  return a;
}

}  // namespace

TEST_CASE("SGD without momentum steps against the gradient: w -= lr g") {
  SGD sgd({.learning_rate = 0.1f});
  Tensor w = Tensor::parameter(Array{1.0f, -2.0f}, "w");
  step(sgd, w, Array{0.5f, 1.0f});
  CHECK_ARRAY_NEAR(w.value(), values({0.95, -2.1}), 1e-7);
  step(sgd, w, Array{0.5f, 1.0f});
  CHECK_ARRAY_NEAR(w.value(), values({0.9, -2.2}), 1e-6);
  CHECK(sgd.iterations() == 2);
  CHECK(sgd.slot_names().empty());
}

TEST_CASE("SGD with momentum accumulates a velocity: v = m v - lr g, w += v") {
  SGD sgd({.learning_rate = 0.1f, .momentum = 0.9f});
  Tensor w = Tensor::parameter(Array{1.0f}, "w");
  step(sgd, w, Array{1.0f});  // v = -0.1
  CHECK(w.value()(0) == doctest::Approx(0.9).epsilon(1e-6));
  step(sgd, w, Array{1.0f});  // v = 0.9 * -0.1 - 0.1 = -0.19
  CHECK(w.value()(0) == doctest::Approx(0.71).epsilon(1e-6));
  step(sgd, w, Array{1.0f});  // v = 0.9 * -0.19 - 0.1 = -0.271
  CHECK(w.value()(0) == doctest::Approx(0.439).epsilon(1e-6));
}

TEST_CASE("SGD with nesterov looks ahead: w += m v - lr g with the new v") {
  SGD sgd({.learning_rate = 0.1f, .momentum = 0.9f, .nesterov = true});
  Tensor w = Tensor::parameter(Array{1.0f}, "w");
  step(sgd, w, Array{1.0f});  // v = -0.1, w += 0.9 * -0.1 - 0.1 = -0.19
  CHECK(w.value()(0) == doctest::Approx(0.81).epsilon(1e-6));
  step(sgd, w, Array{1.0f});  // v = -0.19, w += 0.9 * -0.19 - 0.1 = -0.271
  CHECK(w.value()(0) == doctest::Approx(0.539).epsilon(1e-6));
}

TEST_CASE("Adam follows Keras' rule, epsilon on the uncorrected sqrt(v)") {
  Adam adam({.learning_rate = 0.1f});
  Tensor w = Tensor::parameter(Array{1.0f, 0.5f}, "w");
  step(adam, w, Array{2.0f, 0.0f});
  // t = 1: m = 0.1 * 2 = 0.2, v = 0.001 * 4 = 0.004, lr_t = 0.1 sqrt(1 - 0.999) / (1 - 0.9)
  const double lr1 = 0.1 * std::sqrt(1 - 0.999) / (1 - 0.9);
  const double w1 = 1.0 - lr1 * 0.2 / (std::sqrt(0.004) + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(w1).epsilon(1e-6));
  CHECK(w.value()(1) == 0.5f);  // zero gradient, zero m: no move
  step(adam, w, Array{-1.0f, 0.0f});
  // t = 2: m = 0.9 * 0.2 - 0.1 = 0.08, v = 0.999 * 0.004 + 0.001 = 0.004996
  const double lr2 = 0.1 * std::sqrt(1 - 0.999 * 0.999) / (1 - 0.9 * 0.9);
  const double w2 = w1 - lr2 * 0.08 / (std::sqrt(0.004996) + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(w2).epsilon(1e-6));
  CHECK(adam.slot_names() == std::vector<std::string>{"m", "v"});
}

TEST_CASE("Adam reproduces the golden seed step to 1e-6") {
  const std::vector<std::string> names = {
      "encoder_gru/kernel", "encoder_gru/recurrent_kernel", "encoder_gru/bias",
      "decoder_gru/kernel", "decoder_gru/recurrent_kernel", "decoder_gru/bias",
      "attention_layer/W_a", "attention_layer/U_a", "attention_layer/V_a",
      "softmax_layer/kernel", "softmax_layer/bias"};
  const std::string file = "seed_step.safetensors";
  std::vector<Tensor> params;
  for (const auto& name : names) {
    Tensor p = Tensor::parameter(kiln::testing::golden(file, name), name);
    set_grad(p, kiln::testing::golden(file, "grad/" + name));
    params.push_back(p);
  }
  Adam adam;
  adam.apply_gradients(params);
  for (std::size_t i = 0; i < names.size(); ++i) {
    INFO(names[i]);
    CHECK_ARRAY_NEAR(params[i].value(), kiln::testing::golden(file, "after_adam/" + names[i]), 1e-6);
  }
}

TEST_CASE("AdamW decays the weight by lr * weight_decay before the Adam step") {
  AdamW adamw({.learning_rate = 0.1f, .weight_decay = 0.5f});
  Tensor w = Tensor::parameter(Array{1.0f}, "w");
  step(adamw, w, Array{2.0f});
  // 1 - 1 * 0.5 * 0.1 = 0.95, then Adam's first step as above
  const double lr1 = 0.1 * std::sqrt(1 - 0.999) / (1 - 0.9);
  CHECK(w.value()(0) == doctest::Approx(0.95 - lr1 * 0.2 / (std::sqrt(0.004) + 1e-7)).epsilon(1e-6));
  CHECK(AdamW().options().weight_decay == doctest::Approx(0.004));
  CHECK(AdamW().name() == "adamw");
}

TEST_CASE("RMSprop divides by sqrt(v + epsilon), Keras 3's rule") {
  RMSprop rms({.learning_rate = 0.01f});
  Tensor w = Tensor::parameter(Array{1.0f}, "w");
  step(rms, w, Array{2.0f});  // v = 0.1 * 4 = 0.4
  const double w1 = 1.0 - 0.01 * 2 / std::sqrt(0.4 + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(w1).epsilon(1e-6));
  step(rms, w, Array{-1.0f});  // v = 0.9 * 0.4 + 0.1 * 1 = 0.46
  const double w2 = w1 + 0.01 * 1 / std::sqrt(0.46 + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(w2).epsilon(1e-6));
  CHECK(rms.slot_names() == std::vector<std::string>{"velocity"});
}

TEST_CASE("RMSprop centered with momentum subtracts the mean gradient and accumulates steps") {
  RMSprop rms({.learning_rate = 0.01f, .momentum = 0.5f, .centered = true});
  CHECK(rms.slot_names() == std::vector<std::string>{"velocity", "momentum", "average_gradient"});
  Tensor w = Tensor::parameter(Array{1.0f}, "w");
  step(rms, w, Array{2.0f});
  // v = 0.4, a = 0.1 * 2 = 0.2, d = 0.4 - 0.04 + eps, s = step
  const double s1 = 0.01 * 2 / std::sqrt(0.36 + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(1.0 - s1).epsilon(1e-6));
  step(rms, w, Array{-1.0f});
  // v = 0.46, a = 0.9 * 0.2 - 0.1 = 0.08, d = 0.46 - 0.0064 + eps, s = 0.5 s1 + step
  const double s2 = 0.5 * s1 + 0.01 * -1 / std::sqrt(0.46 - 0.0064 + 1e-7);
  CHECK(w.value()(0) == doctest::Approx(1.0 - s1 - s2).epsilon(1e-6));
}

TEST_CASE("clipnorm rescales each gradient whose norm is above it, alone") {
  SGD sgd({.learning_rate = 1.0f, .clipnorm = 1.0f});
  Tensor a = Tensor::parameter(Array{0.0f, 0.0f}, "a");
  Tensor b = Tensor::parameter(Array{0.0f, 0.0f}, "b");
  set_grad(a, Array{3.0f, 4.0f});  // norm 5 -> (0.6, 0.8)
  set_grad(b, Array{0.3f, 0.4f});  // norm 0.5 -> unchanged
  sgd.apply_gradients({a, b});
  CHECK_ARRAY_NEAR(a.value(), values({-0.6, -0.8}), 1e-6);
  CHECK_ARRAY_NEAR(b.value(), values({-0.3, -0.4}), 1e-6);
  CHECK(a.grad() == Array{3.0f, 4.0f});  // the gradient itself is left as it was
}

TEST_CASE("global_clipnorm rescales all gradients by one factor") {
  SGD sgd({.learning_rate = 1.0f, .global_clipnorm = 1.0f});
  Tensor a = Tensor::parameter(Array{0.0f, 0.0f}, "a");
  Tensor b = Tensor::parameter(Array{0.0f, 0.0f}, "b");
  set_grad(a, Array{3.0f, 4.0f});
  set_grad(b, Array{0.0f, 12.0f});  // global norm sqrt(9 + 16 + 144) = 13
  sgd.apply_gradients({a, b});
  CHECK_ARRAY_NEAR(a.value(), values({-3.0 / 13, -4.0 / 13}), 1e-6);
  CHECK_ARRAY_NEAR(b.value(), values({0.0, -12.0 / 13}), 1e-6);
}

TEST_CASE("clipvalue clips each gradient element to [-clipvalue, clipvalue]") {
  SGD sgd({.learning_rate = 1.0f, .clipvalue = 0.5f});
  Tensor w = Tensor::parameter(Array{0.0f, 0.0f, 0.0f}, "w");
  step(sgd, w, Array{-2.0f, 0.25f, 3.0f});
  CHECK_ARRAY_NEAR(w.value(), values({0.5, -0.25, -0.5}), 1e-7);
}

TEST_CASE("a learning-rate schedule is called with the updates done so far") {
  std::vector<std::size_t> calls;
  SGD sgd({.learning_rate = 123.0f, .learning_rate_schedule = [&](std::size_t s) {
             calls.push_back(s);
             return 1.0f / float(s + 1);
           }});
  Tensor w = Tensor::parameter(Array{0.0f}, "w");
  CHECK(sgd.learning_rate() == 1.0f);
  step(sgd, w, Array{1.0f});  // lr 1
  step(sgd, w, Array{1.0f});  // lr 1/2
  CHECK(w.value()(0) == doctest::Approx(-1.5));
  CHECK(sgd.learning_rate() == doctest::Approx(1.0 / 3));
  CHECK(std::find(calls.begin(), calls.end(), 1u) != calls.end());
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(0.1f), doctest::Contains("schedule"), Error);
}

TEST_CASE("set_learning_rate changes the fixed rate for the next steps") {
  SGD sgd({.learning_rate = 1.0f});
  Tensor w = Tensor::parameter(Array{0.0f}, "w");
  sgd.set_learning_rate(0.25f);
  step(sgd, w, Array{1.0f});
  CHECK(w.value()(0) == doctest::Approx(-0.25));
  CHECK_THROWS_WITH_AS(sgd.set_learning_rate(-1.0f), "sgd: learning_rate must be a finite number >= 0, got -1",
                       Error);
}

TEST_CASE("parameters without a gradient are left untouched but counted in the state") {
  Adam adam;
  Tensor a = Tensor::parameter(Array{1.0f, 2.0f}, "a");
  Tensor frozen = Tensor::parameter(Array{3.0f}, "frozen");
  set_grad(a, Array{1.0f, 1.0f});
  adam.apply_gradients({a, frozen});
  CHECK(frozen.value() == Array{3.0f});
  CHECK(a.value()(0) < 1.0f);
  std::vector<std::string> names;
  for (const auto& e : adam.state()) names.push_back(e.name);
  CHECK(names == std::vector<std::string>{"iterations", "a/m", "a/v", "frozen/m", "frozen/v"});
}

TEST_CASE("weight decay applies only to parameters with a gradient") {
  SGD sgd({.learning_rate = 0.5f, .weight_decay = 0.1f});
  Tensor a = Tensor::parameter(Array{2.0f}, "a");
  Tensor b = Tensor::parameter(Array{2.0f}, "b");
  set_grad(a, Array{0.0f});
  sgd.apply_gradients({a, b});
  CHECK(a.value()(0) == doctest::Approx(2.0 - 2.0 * 0.1 * 0.5));
  CHECK(b.value()(0) == 2.0f);
}

TEST_CASE("state() then load_state() into a fresh optimizer makes the next step identical") {
  auto make_params = [] {
    return std::vector<Tensor>{Tensor::parameter(Array{{1.0f, -1.0f}, {0.5f, 2.0f}}, "dense/kernel"),
                               Tensor::parameter(Array{0.1f, -0.2f}, "dense/bias")};
  };
  const std::vector<Array> grads = {Array{{0.3f, -0.1f}, {0.2f, 0.4f}}, Array{-0.5f, 0.25f}};
  auto take_step = [&](Optimizer& opt, std::vector<Tensor>& params, float scale) {
    for (std::size_t i = 0; i < params.size(); ++i) set_grad(params[i], grads[i] * scale);
    opt.apply_gradients(params);
  };

  const std::vector<std::function<std::shared_ptr<Optimizer>()>> factories = {
      [] { return make_optimizer("adam"); },
      [] { return make_optimizer("adamw"); },
      [] { return std::make_shared<RMSprop>(RMSprop::Options{.momentum = 0.5f, .centered = true}); },
      [] { return std::make_shared<SGD>(SGD::Options{.momentum = 0.9f, .nesterov = true}); },
      [] { return make_optimizer("sgd"); },  // no slots: the state is the iteration count alone
  };
  for (const auto& make : factories) {
    auto original = make();
    INFO(original->name());
    std::vector<Tensor> params = make_params();
    take_step(*original, params, 1.0f);
    take_step(*original, params, -2.0f);

    // Resume: new parameter tensors holding the same values, a new optimizer.
    std::vector<Tensor> resumed = make_params();
    for (std::size_t i = 0; i < params.size(); ++i) resumed[i].mutable_value() = params[i].value();
    auto restored = make();
    restored->load_state(original->state(), resumed);
    CHECK(restored->iterations() == 2);

    take_step(*original, params, 0.5f);
    take_step(*restored, resumed, 0.5f);
    for (std::size_t i = 0; i < params.size(); ++i) CHECK(resumed[i].value() == params[i].value());
  }
}

TEST_CASE("load_state names the entry that is missing, unknown or of the wrong shape") {
  Tensor w = Tensor::parameter(Array{1.0f, 2.0f}, "w");
  Adam adam;
  step(adam, w, Array{1.0f, 1.0f});
  const auto state = adam.state();

  auto without = [&](const std::string& name) {
    std::vector<io::NamedArray> out;
    for (const auto& e : state) {
      if (e.name != name) out.push_back(e);
    }
    return out;
  };
  Adam fresh;
  CHECK_THROWS_WITH_AS(fresh.load_state(without("w/v"), {w}),
                       "adam: load_state: missing entry 'w/v' for parameter 'w' (2)", Error);
  CHECK_THROWS_WITH_AS(fresh.load_state(without("iterations"), {w}), doctest::Contains("missing entry 'iterations'"),
                       Error);

  auto extra = state;
  extra.push_back({"other/m", Array{0.0f}});
  CHECK_THROWS_WITH_AS(fresh.load_state(extra, {w}), doctest::Contains("unknown entry 'other/m'"), Error);

  auto reshaped = without("w/m");
  reshaped.push_back({"w/m", Array{0.0f, 0.0f, 0.0f}});
  CHECK_THROWS_WITH_AS(fresh.load_state(reshaped, {w}),
                       "adam: load_state: entry 'w/m' has shape (3) but parameter 'w' has (2)", ShapeError);

  auto bad_count = without("iterations");
  bad_count.push_back({"iterations", Array{1.5f}});
  CHECK_THROWS_WITH_AS(fresh.load_state(bad_count, {w}), doctest::Contains("'iterations' must hold one whole number"),
                       Error);
  CHECK(fresh.iterations() == 0);  // nothing was loaded by the failed calls
}

TEST_CASE("state() refuses unnamed or same-named parameters") {
  Adam adam;
  Tensor a = Tensor::parameter(Array{1.0f}, "w");
  Tensor b = Tensor::parameter(Array{1.0f}, "w");
  set_grad(a, Array{1.0f});
  adam.apply_gradients({a, b});
  CHECK_THROWS_WITH_AS(adam.state(), doctest::Contains("two parameters are named 'w'"), Error);
  Adam other;
  Tensor unnamed = Tensor::parameter(Array{1.0f});
  step(other, unnamed, Array{1.0f});
  CHECK_THROWS_WITH_AS(other.state(), doctest::Contains("has no name"), Error);
}

TEST_CASE("apply_gradients rejects lists it cannot apply") {
  Adam adam;
  Tensor w = Tensor::parameter(Array{1.0f, 2.0f}, "w");
  CHECK_THROWS_WITH_AS(adam.apply_gradients({w}),
                       "adam: apply_gradients: none of the 1 parameters has a gradient (did backward() run on the loss?)",
                       Error);
  set_grad(w, Array{1.0f, 1.0f});
  CHECK_THROWS_WITH_AS(adam.apply_gradients({w, w}), doctest::Contains("parameter 'w' (2) appears twice"), Error);
  CHECK(w.value() == Array{1.0f, 2.0f});
  w.meta().grad = Array{1.0f, 2.0f, 3.0f};  // as no backward would leave it
  CHECK_THROWS_WITH_AS(adam.apply_gradients({w}), doctest::Contains("differ in shape: (3) and (2)"), ShapeError);
  CHECK(adam.iterations() == 0);
}

TEST_CASE("bad optimizer options name the optimizer, the option and the value") {
  CHECK_THROWS_WITH_AS(Adam({.beta_1 = 1.0f}), "adam: beta_1 must be in [0, 1), got 1", Error);
  CHECK_THROWS_WITH_AS(Adam({.epsilon = -1.0f}), "adam: epsilon must be >= 0, got -1", Error);
  CHECK_THROWS_WITH_AS(SGD({.momentum = 1.5f}), "sgd: momentum must be in [0, 1], got 1.5", Error);
  CHECK_THROWS_WITH_AS(RMSprop({.rho = -0.1f}), "rmsprop: rho must be in [0, 1), got -0.1", Error);
  CHECK_THROWS_WITH_AS(SGD({.learning_rate = -0.1f}), doctest::Contains("learning_rate must be"), Error);
  CHECK_THROWS_WITH_AS(SGD({.clipnorm = 1.0f, .clipvalue = 1.0f}),
                       "sgd: only one of clipnorm (1), global_clipnorm (0) and clipvalue (1) can be set", Error);
}

TEST_CASE("make_optimizer builds optimizers by Keras name with Keras defaults") {
  CHECK(make_optimizer("adam")->name() == "adam");
  CHECK(make_optimizer("Adam")->options().learning_rate == doctest::Approx(1e-3));
  CHECK(make_optimizer("sgd")->options().learning_rate == doctest::Approx(0.01));
  CHECK(make_optimizer("RMSprop")->name() == "rmsprop");
  CHECK(make_optimizer("adamw")->options().weight_decay == doctest::Approx(0.004));
  CHECK_THROWS_WITH_AS(make_optimizer("adagrad"),
                       "make_optimizer: unknown optimizer 'adagrad' (known: adam, adamw, rmsprop, sgd)", Error);
}
