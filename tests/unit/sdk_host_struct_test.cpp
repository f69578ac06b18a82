// A struct the host allocates for a plugin to fill (a batch, a plan) is
// filled no further than the host says it reaches (ABI convention 6), so a
// plugin built against a newer header never writes past an older host's
// struct.
#include <gtest/gtest.h>

#include <ferry/batch_builder.h>
#include <ferry/plugin.hpp>

#include <cstring>

namespace {

// The same struct in two releases: the second appended a field.
struct First {
  uint32_t struct_size;
  uint32_t reserved;
  uint64_t a;
};
struct Second {
  uint32_t struct_size;
  uint32_t reserved;
  uint64_t a;
  uint64_t added;
};

struct HostMemory {
  First host;
  unsigned char after[16];
};

TEST(SdkHostStruct, ANewerPluginWritesNoFurtherThanAnOlderHostsStruct) {
  HostMemory mem;
  std::memset(&mem, 0xAB, sizeof mem);
  mem.host.struct_size = sizeof(First);
  ferry::fill_host_struct(reinterpret_cast<Second*>(&mem.host), Second{0, 0, 7, 9}, sizeof(First));
  EXPECT_EQ(mem.host.a, 7u);
  EXPECT_EQ(mem.host.struct_size, sizeof(First)) << "says what it wrote";
  for (unsigned char c : mem.after) EXPECT_EQ(c, 0xAB) << "wrote past the host's struct";
}

TEST(SdkHostStruct, AHostThatSaysNoSizeHasTheFirstLayoutAndANewerHostGetsWhatThePluginKnows) {
  HostMemory mem;
  std::memset(&mem, 0xAB, sizeof mem);
  mem.host.struct_size = 0;
  ferry::fill_host_struct(reinterpret_cast<Second*>(&mem.host), Second{0, 0, 7, 9}, sizeof(First));
  EXPECT_EQ(mem.host.struct_size, sizeof(First));
  for (unsigned char c : mem.after) EXPECT_EQ(c, 0xAB);

  Second newer_host{};
  newer_host.struct_size = sizeof(Second) + 8;  // a layout this plugin does not know
  First value{0, 0, 5};
  ferry::fill_host_struct(reinterpret_cast<First*>(&newer_host), value);
  EXPECT_EQ(newer_host.struct_size, sizeof(First));
  EXPECT_EQ(newer_host.a, 5u);
}

TEST(SdkHostStruct, AHostStructSmallerThanTheFirstLayoutIsRefused) {
  First host{};
  host.struct_size = 4;
  EXPECT_THROW(ferry::fill_host_struct(&host, First{0, 0, 1}), ferry::Error);
}

TEST(SdkHostStruct, TheBatchBuildersFillTheHostsBatch) {
  ferry::BatchBuilder builder;
  builder.add_field("n", FERRY_TYPE_INT64);
  builder.set_int(builder.add_row("k", "1"), 0, 42);
  FerryBatch out{};
  out.struct_size = sizeof out;
  builder.finish(&out, "p0", "1");
  EXPECT_EQ(out.struct_size, sizeof out);
  ASSERT_EQ(out.n_rows, 1u);
  EXPECT_EQ(out.values[0].as.i64, 42);
  out.release(&out);

  FerryBatch too_small{};
  too_small.struct_size = 8;
  builder.add_row("k", "2");
  EXPECT_THROW(builder.finish(&too_small, "p0", "2"), ferry::Error);
  EXPECT_EQ(too_small.release, nullptr) << "nothing handed over";

  FerryCBatch* c = ferry_batch_begin(1);
  ferry_batch_field(c, 0, "n", FERRY_TYPE_INT64, FERRY_FIELD_NULLABLE);
  FerryBatch from_c{};
  from_c.struct_size = 8;
  EXPECT_EQ(ferry_batch_finish(c, FerryBytes{"p0", 2}, FerryBytes{"", 0}, &from_c), FERRY_ERROR_INTERNAL);
  EXPECT_EQ(from_c.release, nullptr);
}

}  // namespace
