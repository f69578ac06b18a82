// The decimal text of consecutive ids, kept up to date by incrementing the
// digits in place: formatting each id afresh was most of the generator's
// work per row.
#ifndef FERRY_PLUGINS_GENERATOR_DECIMAL_TEXT_H_
#define FERRY_PLUGINS_GENERATOR_DECIMAL_TEXT_H_

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ferry_generator {

class DecimalText {
 public:
  void set(uint64_t v) {
    char tmp[kDigits];
    const char* end = std::to_chars(tmp, tmp + kDigits, v).ptr;
    size_ = static_cast<size_t>(end - tmp);
    for (size_t i = 0; i < size_; ++i) digits_[kDigits - size_ + i] = tmp[i];
  }
  // The text of the value plus one; the caller keeps the value below 2^64 - 1.
  void increment() {
    size_t i = kDigits;
    while (i > kDigits - size_ && digits_[i - 1] == '9') digits_[--i] = '0';
    if (i > kDigits - size_) {
      ++digits_[i - 1];
      return;
    }
    ++size_;
    digits_[kDigits - size_] = '1';
  }
  std::string_view view() const { return {digits_ + kDigits - size_, size_}; }

 private:
  static constexpr size_t kDigits = 20;  // UINT64_MAX has 20
  char digits_[kDigits] = {};
  size_t size_ = 0;
};

}  // namespace ferry_generator

#endif  // FERRY_PLUGINS_GENERATOR_DECIMAL_TEXT_H_
