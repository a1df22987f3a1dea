// Named argument slots: one list per entry point gives the enum its reader and its pin list index by, and the names its
// errors report.
#ifndef ESDK_NATIVE_ARG_SLOTS_H_
#define ESDK_NATIVE_ARG_SLOTS_H_

#include <cstddef>

namespace esdk {

// A position in a call's argument list and the name a bad value there is reported under.
struct Slot {
  size_t index;
  const char* name;
};

}  // namespace esdk

// An entry point's arguments are written once, as an X-macro list of (Name, "jsName") in call
// order, e.g. `#define ESDK_FOO_ARGS(X) X(SuiteId, "suiteId") X(Out, "out")`. ESDK_ARG_SLOTS
// turns it into `enum class FooArg { kSuiteId, kOut, kCount }` and `Slot At(FooArg)`, so the
// argument reader, the list of buffers a thread-pool job pins and the error names cannot drift
// apart. The TypeScript declaration (lib/backend/native-types.ts) lists the same order.
#define ESDK_SLOT_ENUMERATOR(name, js) k##name,
#define ESDK_SLOT_NAME(name, js) js,
#define ESDK_ARG_SLOTS(Enum, LIST)                                                                 \
  enum class Enum : size_t { LIST(ESDK_SLOT_ENUMERATOR) kCount };                                  \
  inline ::esdk::Slot At(Enum slot) noexcept {                                                     \
    static constexpr const char* kNames[] = {LIST(ESDK_SLOT_NAME)};                                \
    static_assert(sizeof(kNames) / sizeof(kNames[0]) == static_cast<size_t>(Enum::kCount), #Enum); \
    return ::esdk::Slot{static_cast<size_t>(slot), kNames[static_cast<size_t>(slot)]};             \
  }

#endif  // ESDK_NATIVE_ARG_SLOTS_H_
