// Where the end-to-end tests find a model and the shared data, and small file helpers.
#pragma once
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// MT_TEST_MODEL, else the shipped default model.
inline std::string test_model() {
  if (const char* env = std::getenv("MT_TEST_MODEL"); env && *env) return env;
  return std::string(MT_SOURCE_DIR) + "/models/en-zh";
}
inline bool have_model() { return std::filesystem::exists(test_model() + "/model.json"); }
#define REQUIRE_MODEL() \
  if (!have_model()) GTEST_SKIP() << "no model at " << test_model() << ": set MT_TEST_MODEL or ship models/en-zh"

// ../shared/data (CI has it; a clone of the project alone does not).
inline std::string shared_data() {
  if (const char* env = std::getenv("MT_SHARED_DATA"); env && *env) return env;
  return std::string(MT_SOURCE_DIR) + "/../shared/data";
}
#define REQUIRE_SHARED_DATA() \
  if (!std::filesystem::exists(shared_data())) GTEST_SKIP() << shared_data() << " not found: test skipped (CI has it)"

inline std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "/mt_" + std::to_string(getpid()) + "_" + name;
}

inline void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// "a\tb\tc" -> {"a", "b", "c"}
inline std::vector<std::string> split_tab(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
    fields.push_back(line.substr(start, tab - start));
  fields.push_back(line.substr(start));
  return fields;
}

inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') {
      lines.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

inline bool has_han(const std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if ((unsigned char)s[i] >= 0xE4 && (unsigned char)s[i] <= 0xE9) return true;
  return false;
}
