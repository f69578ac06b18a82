// FUZZ_CHECK: a property of a parser's output that must hold for every
// input. A violation prints what failed and aborts, which libFuzzer reports
// as a crash and saves the input for.
#ifndef FERRY_FUZZ_FUZZ_CHECK_H_
#define FERRY_FUZZ_FUZZ_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                        \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s (%s)\n", __FILE__, __LINE__, \
                   #cond, what);                                                      \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

#endif  // FERRY_FUZZ_FUZZ_CHECK_H_
