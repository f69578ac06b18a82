// support/sql/table_evolution: how every SQL sink's table follows the
// batches, over a table kept in memory.
#include <gtest/gtest.h>

#include <ferry/testing/values.hpp>
#include <sql/table_evolution.h>

#include <map>
#include <string>
#include <vector>

namespace {

using ferry::support::NewColumn;
using ferry::testing::Column;

class MemoryTable : public ferry::support::EvolvingTable {
 public:
  bool exists() override { return created; }
  bool has_column(std::string_view name) override { return columns.count(std::string(name)) > 0; }
  void create(const std::vector<NewColumn>& cols, const std::vector<std::string>& k) override {
    created = true;
    for (const NewColumn& c : cols) columns[c.name] = c.type;
    key = k;
    log.push_back("create");
  }
  void add_column(const NewColumn& column) override {
    columns[column.name] = column.type;
    log.push_back("add " + column.name);
  }

  bool created = false;
  std::map<std::string, std::string> columns;
  std::vector<std::string> key;
  std::vector<std::string> log;
};

ferry::support::TableRules rules() {
  ferry::support::TableRules r;
  r.who = "test sink";
  r.where = "table t";
  r.key = {"id"};
  r.default_type = [](const ferry::BatchView& batch, size_t f) {
    return batch.field(f).type == FERRY_TYPE_INT64 ? std::string("bigint") : std::string("text");
  };
  return r;
}

ferry::testing::OwnedBatch batch_of(const std::vector<Column>& columns) {
  return ferry::testing::make_batch(columns, {});
}

std::string config_error(const std::function<void()>& call) {
  try {
    call();
  } catch (const ferry::Error& e) {
    EXPECT_EQ(e.status(), FERRY_ERROR_CONFIG);
    return e.what();
  }
  return "";
}

TEST(SupportTableEvolution, TheFirstBatchCreatesTheTableAndLaterFieldsBecomeColumns) {
  MemoryTable table;
  ferry::support::SchemaContract contract;
  contract.column_types = {{"name", "varchar(80)"}};
  ferry::support::TableRules r = rules();
  r.contract = &contract;
  auto first = batch_of({{"id", FERRY_TYPE_INT64, 0}, {"name", FERRY_TYPE_STRING, 0}});
  EXPECT_TRUE(ferry::support::fit_table(table, ferry::BatchView(&first.get()), r));
  EXPECT_EQ(table.columns, (std::map<std::string, std::string>{{"id", "bigint"}, {"name", "varchar(80)"}}));
  EXPECT_EQ(table.key, std::vector<std::string>{"id"});

  auto same = batch_of({{"id", FERRY_TYPE_INT64, 0}, {"name", FERRY_TYPE_STRING, 0}});
  EXPECT_FALSE(ferry::support::fit_table(table, ferry::BatchView(&same.get()), r));
  auto wider = batch_of({{"id", FERRY_TYPE_INT64, 0}, {"score", FERRY_TYPE_STRING, 0}});
  EXPECT_TRUE(ferry::support::fit_table(table, ferry::BatchView(&wider.get()), r));
  EXPECT_EQ(table.log, (std::vector<std::string>{"create", "add score"}));
}

TEST(SupportTableEvolution, WhatCanNeverFitIsAConfigurationErrorNamingIt) {
  MemoryTable table;
  ferry::support::TableRules r = rules();
  r.create_table = false;
  EXPECT_EQ(config_error([&] { ferry::support::check_table_at_open(table, r); }),
            "test sink: table t does not exist and create_table is false");
  table.created = true;
  EXPECT_EQ(config_error([&] { ferry::support::check_table_at_open(table, r); }),
            "test sink: key column \"id\" is not a column of table t");
  auto keyless = batch_of({{"name", FERRY_TYPE_STRING, 0}});
  r.quote = '`';
  EXPECT_EQ(config_error([&] { ferry::support::fit_table(table, ferry::BatchView(&keyless.get()), r); }),
            "test sink: key column `id` is not a field of the batch (table t)");
  EXPECT_TRUE(table.log.empty());
}

TEST(SupportTableEvolution, ADialectMayRefuseAChangeBeforeItIsMade) {
  MemoryTable table;
  ferry::support::TableRules r = rules();
  r.before_change = [](const std::string& change) { throw ferry::Error(FERRY_ERROR_IO, "not now: " + change); };
  auto batch = batch_of({{"id", FERRY_TYPE_INT64, 0}});
  try {
    ferry::support::fit_table(table, ferry::BatchView(&batch.get()), r);
    FAIL() << "the change must be refused";
  } catch (const ferry::Error& e) {
    EXPECT_STREQ(e.what(), "not now: creating the table");
  }
  EXPECT_TRUE(table.log.empty());
}

TEST(SupportTableEvolution, CaseInsensitiveDialectsMatchKeyFieldsInAnyCase) {
  MemoryTable table;
  ferry::support::TableRules r = rules();
  r.case_insensitive = true;
  auto batch = batch_of({{"ID", FERRY_TYPE_INT64, 0}});
  EXPECT_TRUE(ferry::support::fit_table(table, ferry::BatchView(&batch.get()), r));
  r.case_insensitive = false;
  EXPECT_NE(config_error([&] { ferry::support::fit_table(table, ferry::BatchView(&batch.get()), r); }), "");
}

}  // namespace
