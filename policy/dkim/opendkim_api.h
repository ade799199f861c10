// opendkim_api.h - include libopendkim's <opendkim/dkim.h> from C++.
//
// The header declares functions with C99 `_Bool`, which C++ does not have; C `_Bool` and C++
// `bool` share size and ABI on every platform GCC and Clang support, so spell it `bool` while the
// header is read. Include this file, never <opendkim/dkim.h> directly.
#pragma once

#ifndef _Bool
#define _Bool bool  // NOLINT(bugprone-reserved-identifier): the C99 keyword, for C++
#define AUTHMILTER_OPENDKIM_BOOL_DEFINED
#endif

#include <opendkim/dkim.h>

#ifdef AUTHMILTER_OPENDKIM_BOOL_DEFINED
#undef _Bool
#undef AUTHMILTER_OPENDKIM_BOOL_DEFINED
#endif
