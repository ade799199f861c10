// result.h - a value, or the reason there is none.
//
// Result<T> carries operational failures (resolver start-up, store writes, file reads) as data,
// shaped like C++23 std::expected so that it can be swapped for it later. Verdicts such as
// SPF permerror are NOT errors: they are ordinary result values of the checks.
// Callers must look at ok() before dereferencing; the type is [[nodiscard]].
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace authmilter {

// Error - why an operation failed, in words fit for a log line.
struct Error {
  std::string message;
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const {
    assert(ok());
    return std::get<T>(state_);
  }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(state_).message;
  }

 private:
  std::variant<T, Error> state_;
};

// Status - Result without a value.
struct Ok {};
using Status = Result<Ok>;

}  // namespace authmilter
