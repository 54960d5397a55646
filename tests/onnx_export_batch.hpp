#pragma once
// Checks many ONNX exports with one onnx.checker process and one ONNX
// Runtime process (tests/onnx_support.hpp), so a test case can cover every
// option of a family of layers without paying a Node and a Python start per
// model. Each added model is exported, read back by kiln's import (same
// outputs, same masks, and a loss on its outputs reaches every weight: the
// import trains), and kept for run(), which checks the files and compares
// ONNX Runtime's outputs with kiln's within 1e-5.
//
//   OnnxExportBatch batch;
//   batch.add("add", *model, {x, y});
//   batch.run();

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "kiln.hpp"
#include "onnx_support.hpp"
#include "support.hpp"

namespace kiln::testing {

class OnnxExportBatch {
 public:
  static constexpr double tolerance = 1e-5;

  // Exports `model` as <name>.onnx and checks kiln's import of it on
  // `inputs` (with the call's `masks`, one per input or fewer, fed to the
  // graph's mask inputs where `options` asks for them).
  void add(const std::string& name, Model& model, const std::vector<Array>& inputs,
           const std::vector<const Array*>& masks = {}, const OnnxExportOptions& options = {}) {
    INFO("model " << name);
    Case c{name, dir_ / (name + ".onnx"), {}, {}, {}, options.output_masks};
    export_onnx(model, c.path, options);
    REQUIRE(std::filesystem::file_size(c.path) > 0);

    const std::vector<Tensor> tensors(inputs.begin(), inputs.end());
    const std::vector<Tensor> expected = model(tensors, {.masks = masks});
    c.output_names = model.output_names();
    for (const auto& t : expected) {
      c.expected.push_back(t.value());
      c.expected_masks.push_back(t.mask());
    }
    const std::vector<std::string> names = input_names(model);
    for (std::size_t i = 0; i < inputs.size(); ++i) c.feeds.emplace(names.at(i), inputs[i]);
    for (const auto& input : options.masked_inputs) {
      const std::size_t i = std::size_t(std::find(names.begin(), names.end(), input) - names.begin());
      const Array* given = i < masks.size() ? masks[i] : nullptr;
      c.feeds.emplace(input + "_mask", given ? *given : Array(xt::ones<float>({inputs[i].shape(0), inputs[i].shape(1)})));
    }
    check_import(c, tensors, masks);
    cases_.push_back(std::move(c));
  }

  // onnx.checker and ONNX Runtime on every model added (each skipped with a
  // note where its tool is absent).
  void run() {
    std::vector<std::filesystem::path> files;
    std::vector<OnnxRun> runs;
    for (const auto& c : cases_) {
      files.push_back(c.path);
      runs.push_back({c.path, c.feeds});
    }
    if (const auto reports = onnx_checker_reports(files)) {
      REQUIRE(reports->size() == cases_.size());
      for (std::size_t k = 0; k < cases_.size(); ++k) {
        INFO("model " << cases_[k].name);
        CHECK_MESSAGE((*reports)[k].empty(), (*reports)[k]);
      }
    }
    const auto results = run_onnxruntime_batch(runs);
    if (!results) return;
    for (std::size_t k = 0; k < cases_.size(); ++k) compare(cases_[k], (*results)[k]);
  }

 private:
  struct Case {
    std::string name;
    std::filesystem::path path;
    std::map<std::string, Array> feeds;
    std::vector<Array> expected;
    std::vector<Mask> expected_masks;
    bool output_masks = false;
    std::vector<std::string> output_names = {};
  };

  static std::vector<std::string> input_names(const Model& model) {
    if (const auto* functional = dynamic_cast<const FunctionalModel*>(&model)) {
      std::vector<std::string> names;
      for (const auto& in : functional->inputs()) names.push_back(in.node()->input_name);
      return names;
    }
    return {"input"};
  }

  // Equal masks (a mask is 0/1), or both absent; where kiln has none, ones
  // are the same (a mask input fed ones stands for no mask).
  static void check_same_mask(const Mask& got, const Mask& expected, const std::string& what) {
    INFO(what);
    if (!expected) {
      if (got) CHECK(xt::all(xt::equal(*got, 1.0f)));
      return;
    }
    REQUIRE(got);
    REQUIRE(got->shape() == expected->shape());
    CHECK(max_abs_diff(*got, *expected) == 0.0);
  }

  // The import computes kiln's outputs, and the gradient of a loss on them
  // reaches every weight of the imported model, finite.
  static void check_import(const Case& c, const std::vector<Tensor>& tensors, const std::vector<const Array*>& masks) {
    const auto imported = import_onnx(c.path);
    REQUIRE(imported->output_names() == c.output_names);
    const std::vector<Tensor> reread = (*imported)(tensors, {.masks = masks});
    REQUIRE(reread.size() == c.expected.size());
    Tensor loss;
    for (std::size_t i = 0; i < c.expected.size(); ++i) {
      INFO("imported output " << i);
      REQUIRE(reread[i].shape() == c.expected[i].shape());
      CHECK(max_abs_diff(reread[i].value(), c.expected[i]) <= tolerance);
      if (c.output_masks) check_same_mask(reread[i].mask(), c.expected_masks[i], "imported mask");
      // sum(y * R) with a fixed random R, finite where y is (a masked-out score is -1e9 before softmax, not here).
      const Tensor term = sum(reread[i] * Tensor(random_array(reread[i].shape(), 100 + i)));
      loss = loss.defined() ? loss + term : term;
    }
    const auto weights = imported->trainable_weights();
    if (weights.empty()) return;
    const std::vector<Tensor> grads = gradients(loss, weights);
    for (std::size_t k = 0; k < weights.size(); ++k) {
      INFO("gradient of imported weight " << k);
      REQUIRE(grads[k].defined());
      CHECK(xt::all(xt::isfinite(grads[k].value())));
    }
  }

  static void compare(const Case& c, const std::map<std::string, Array>& results) {
    INFO("model " << c.name);
    std::size_t mask_outputs = 0;
    for (std::size_t i = 0; i < c.output_names.size(); ++i) {
      INFO("output " << c.output_names[i]);
      const auto found = results.find(c.output_names[i]);
      REQUIRE(found != results.end());
      REQUIRE(found->second.shape() == c.expected[i].shape());
      CHECK(max_abs_diff(found->second, c.expected[i]) <= tolerance);
      const auto mask = results.find(c.output_names[i] + "_mask");
      if (mask != results.end()) ++mask_outputs;
      if (c.output_masks) {
        check_same_mask(mask == results.end() ? nullptr : std::make_shared<const Array>(mask->second),
                        c.expected_masks[i], "ONNX Runtime's mask");
      }
    }
    CHECK(results.size() == c.output_names.size() + mask_outputs);
  }

  OnnxTempDir dir_;
  std::vector<Case> cases_;
};

}  // namespace kiln::testing
