// CSVLogger (Keras 3's keras/src/callbacks/csv_logger.py layout: an "epoch"
// column, 0-based, then the log names sorted) and the History as CSV.

#include <cmath>
#include <fstream>
#include <sstream>

#include "io/atomic_file.hpp"
#include "layers/dense.hpp"
#include "models/csv_logger.hpp"
#include "models/functional.hpp"
#include "optimizers/sgd.hpp"
#include "scratch_dir.hpp"
#include "support.hpp"
#include "training/history_csv.hpp"

using namespace kiln;
using kiln::testing::ScratchDir;

namespace {

Functional small_model() {
  auto in = Input({2}, "features");
  Functional model({in}, {Dense({.units = 1, .name = "out"})(in)}, "logged");
  model->compile({.optimizer = std::make_shared<SGD>(SGD::Options{.learning_rate = 0.1f}), .loss = "mse"});
  return model;
}

// Drives a logger by hand with the given epochs' logs.
void log_epochs(CSVLogger& logger, Functional& model, const std::vector<Logs>& epochs, std::size_t first = 0) {
  logger.set_model(model.ptr().get());
  logger.on_train_begin({});
  for (std::size_t i = 0; i < epochs.size(); ++i) logger.on_epoch_end(first + i, epochs[i]);
  logger.on_train_end({});
}

}  // namespace

TEST_CASE("CSVLogger writes a header of the sorted log names and one row per epoch") {
  ScratchDir dir("csv_logger");
  Functional model = small_model();
  CSVLogger logger({.filename = dir.path / "log.csv"});
  log_epochs(logger, model,
             {{{"loss", 0.5}, {"accuracy", 0.25}, {"val_loss", 0.75}, {"val_accuracy", 0.125}},
              {{"loss", 0.1}, {"accuracy", 1.0 / 3.0}, {"val_loss", 0.2}, {"val_accuracy", 1e-05}}});
  CHECK(io::read_file(dir.path / "log.csv") ==
        "epoch,accuracy,loss,val_accuracy,val_loss\n"
        "0,0.25,0.5,0.125,0.75\n"
        "1,0.3333333333333333,0.1,1e-05,0.2\n");  // shortest forms that read back exactly
}

TEST_CASE("CSVLogger adds val_ columns holding NA when the first epoch logged no validation, as Keras does") {
  ScratchDir dir("csv_logger");
  Functional model = small_model();
  CSVLogger logger({.filename = dir.path / "log.csv", .separator = ';'});
  log_epochs(logger, model, {{{"loss", 2.0}}, {{"loss", 1.0}, {"val_loss", 1.5}}});
  CHECK(io::read_file(dir.path / "log.csv") == "epoch;loss;val_loss\n0;2;NA\n1;1;1.5\n");
}

TEST_CASE("CSVLogger writes NaN and infinite values as Python does") {
  ScratchDir dir("csv_logger");
  Functional model = small_model();
  CSVLogger logger({.filename = dir.path / "log.csv"});
  log_epochs(logger, model, {{{"loss", NAN}, {"val_loss", INFINITY}}});
  CHECK(io::read_file(dir.path / "log.csv") == "epoch,loss,val_loss\n0,nan,inf\n");
}

TEST_CASE("CSVLogger replaces an existing file unless append is set") {
  ScratchDir dir("csv_logger");
  const auto path = dir.path / "log.csv";
  io::write_file_atomically(path, "old content\n");
  Functional model = small_model();
  CSVLogger logger({.filename = path});
  log_epochs(logger, model, {{{"loss", 1.0}, {"val_loss", 2.0}}});
  CHECK(io::read_file(path) == "epoch,loss,val_loss\n0,1,2\n");
}

TEST_CASE("CSVLogger with append resumes an existing file under its header, in its columns") {
  ScratchDir dir("csv_logger");
  const auto path = dir.path / "log.csv";
  Functional model = small_model();
  CSVLogger first({.filename = path, .append = true});  // no file yet: header and rows
  log_epochs(first, model, {{{"loss", 4.0}, {"val_loss", 5.0}}, {{"loss", 3.0}, {"val_loss", 4.5}}});
  // The resumed run logs one more name: the file's columns still rule, so
  // the rows stay aligned under the header written first.
  CSVLogger resumed({.filename = path, .append = true});
  log_epochs(resumed, model, {{{"loss", 2.0}, {"val_loss", 4.0}, {"learning_rate", 0.1}}}, 2);
  CHECK(io::read_file(path) == "epoch,loss,val_loss\n0,4,5\n1,3,4.5\n2,2,4\n");
}

TEST_CASE("CSVLogger fails fit() before the first step when the file cannot be opened") {
  ScratchDir dir("csv_logger");
  Functional model = small_model();
  const Array x = testing::random_array({4, 2}, 1), y = testing::random_array({4, 1}, 2);
  auto logger = std::make_shared<CSVLogger>(CSVLogger::Options{.filename = dir.path / "missing_dir" / "log.csv"});
  const auto before = model->get_weights();
  CHECK_THROWS_WITH_AS(model->fit({x}, {y}, {.epochs = 1, .verbose = 0, .callbacks = {logger}}),
                       doctest::Contains(("CSVLogger: cannot open " + (dir.path / "missing_dir" / "log.csv").string() +
                                          ": No such file or directory").c_str()),
                       Error);
  CHECK(model->optimizer().iterations() == 0);
  CHECK(testing::max_abs_diff(model->get_weights()[0], before[0]) == 0.0);
}

TEST_CASE("CSVLogger fails with the system's reason when a row cannot be written (a full disk)") {
  if (!std::filesystem::exists("/dev/full")) {
    MESSAGE("no /dev/full here: skipped");
    return;
  }
  Functional model = small_model();
  const Array x = testing::random_array({4, 2}, 1), y = testing::random_array({4, 1}, 2);
  auto logger = std::make_shared<CSVLogger>(CSVLogger::Options{.filename = "/dev/full"});
  CHECK_THROWS_WITH_AS(model->fit({x}, {y}, {.epochs = 2, .verbose = 0, .callbacks = {logger}}),
                       doctest::Contains("CSVLogger: cannot write to /dev/full: No space left on device"), Error);
  CHECK(model->optimizer().iterations() == 1);  // the first epoch's single step ran, then its row failed
}

TEST_CASE("CSVLogger refuses a separator that values can contain") {
  CHECK_THROWS_WITH_AS(CSVLogger({.filename = "log.csv", .separator = '.'}), doctest::Contains("separator"), Error);
  CHECK_THROWS_WITH_AS(CSVLogger({.filename = ""}), doctest::Contains("filename is empty"), Error);
}

TEST_CASE("CSVLogger in fit writes the rows History records") {
  ScratchDir dir("csv_logger");
  Functional model = small_model();
  const Array x = testing::random_array({8, 2}, 1), y = testing::random_array({8, 1}, 2);
  auto logger = std::make_shared<CSVLogger>(CSVLogger::Options{.filename = dir.path / "log.csv"});
  const History h = model->fit({x}, {y}, {.batch_size = 4, .epochs = 3, .validation_split = 0.25, .verbose = 0,
                                          .callbacks = {logger}});
  CHECK(io::read_file(dir.path / "log.csv") == history_csv(h));
}

TEST_CASE("history_csv writes every series per epoch, NA past the end of a shorter one") {
  History h;
  h.record_epoch({{"loss", 0.5}, {"val_loss", 0.625}});
  h.record_epoch({{"loss", 0.25}});
  CHECK(history_csv(h) == "epoch,loss,val_loss\n0,0.5,0.625\n1,0.25,NA\n");
  CHECK(history_csv(h, '\t') == "epoch\tloss\tval_loss\n0\t0.5\t0.625\n1\t0.25\tNA\n");
  CHECK(csv_number(-0.0) == "-0");
  CHECK(csv_number(-INFINITY) == "-inf");
  CHECK(std::stod(csv_number(0.1 + 0.2)) == 0.1 + 0.2);
}

TEST_CASE("write_history_csv names the path it cannot write") {
  History h;
  h.record_epoch({{"loss", 1.0}});
  CHECK_THROWS_WITH_AS(write_history_csv("/nonexistent_dir_kiln/history.csv", h),
                       doctest::Contains("/nonexistent_dir_kiln/history.csv"), Error);
}
