// c_handle.h - RAII ownership of handles from C libraries.
//
// One alias per C type, declared beside the code that uses it:
//   using UbContext = CHandle<ub_ctx, ub_ctx_delete>;
// The deleter runs exactly once when the handle goes out of scope; null handles are not freed.
#pragma once

#include <memory>

namespace authmilter {

template <auto Deleter>
struct CDeleter {
  template <class T>
  void operator()(T* handle) const noexcept {
    if (handle != nullptr) Deleter(handle);
  }
};

template <class T, auto Deleter>
using CHandle = std::unique_ptr<T, CDeleter<Deleter>>;

}  // namespace authmilter
