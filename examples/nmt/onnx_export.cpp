#include "examples/nmt/onnx_export.hpp"

#include "io/atomic_dir.hpp"
#include "io/atomic_file.hpp"
#include "onnx/onnx.hpp"

namespace nmt {

void export_onnx_dir(const TrainedModel& trained, const std::filesystem::path& dir) {
  kiln::io::DirectoryWrite write(dir, {onnx_encoder_file, onnx_decoder_step_file, config_file, english_vocab_file,
                                       french_vocab_file});
  const std::filesystem::path& out = write.staging();
  kiln::export_onnx(*trained.model.encoder, out / onnx_encoder_file);
  kiln::export_onnx(*trained.model.decoder_step, out / onnx_decoder_step_file);
  kiln::io::write_file_atomically(out / config_file, to_json(trained.model.config).dump(2) + "\n");
  trained.en.save((out / english_vocab_file).string());
  trained.fr.save((out / french_vocab_file).string());
  write.commit();
}

}  // namespace nmt
