#include "pipewright/exec/actions/archive.h"

#include <filesystem>

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include "pipewright/exec/actions/path_glob.h"

#include "unit/exec/actions/test_tree.h"

namespace pipewright::exec::actions {
namespace {

namespace fs = std::filesystem;
using testing::get;
using testing::put;
using testing::TempDir;

// A hand-made entry for hostile archives.
struct RawEntry {
  std::string name;
  char type = 'f';   // f file, d dir, l symlink, h hard link
  std::string data;  // content, or the link target
};

void write_raw(const std::string& path, const std::vector<RawEntry>& entries) {
  struct archive* a = archive_write_new();
  archive_write_add_filter_zstd(a);
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const RawEntry& r : entries) {
    struct archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, r.name.c_str());
    archive_entry_set_perm(e, 0644);
    if (r.type == 'f') {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(r.data.size()));
    } else if (r.type == 'd') {
      archive_entry_set_filetype(e, AE_IFDIR);
    } else if (r.type == 'l') {
      archive_entry_set_filetype(e, AE_IFLNK);
      archive_entry_set_symlink(e, r.data.c_str());
    } else {
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_hardlink(e, r.data.c_str());
    }
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    if (r.type == 'f') archive_write_data(a, r.data.data(), r.data.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

PlaceEntry into(const std::string& root) {
  return [root](std::string_view name) -> util::Expected<Placement> {
    return Placement{root, normalize_path(name, root)};
  };
}

class ArchiveTest : public ::testing::Test {
 protected:
  TempDir m_dir;
};

TEST_F(ArchiveTest, RoundTripFilesSymlinksModesAndTimes) {
  put(m_dir / "src/a.txt", "alpha");
  put(m_dir / "src/deep/b.bin", std::string(3 << 20, 'x') + "tail");
  put(m_dir / "src/empty", "");
  fs::permissions(m_dir / "src/a.txt", fs::perms(0755));
  fs::create_symlink("deep/b.bin", m_dir / "src/link");
  fs::last_write_time(m_dir / "src/a.txt", fs::file_time_type(std::chrono::seconds(1'600'000'000)));
  std::vector<PackInput> in{{m_dir / "src/a.txt", "a.txt"},
                            {m_dir / "src/deep/b.bin", "deep/b.bin"},
                            {m_dir / "src/empty", "empty"},
                            {m_dir / "src/link", "link"}};
  auto written = write_archive(m_dir / "out.tar.zst", in);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(written->entries, 4u);
  EXPECT_EQ(written->bytes, 5u + (3u << 20) + 4u);
  EXPECT_LT(written->compressed, written->bytes / 100);
  EXPECT_EQ(fs::file_size(m_dir / "out.tar.zst"), written->compressed);
  for (const auto& e : fs::directory_iterator(m_dir.path()))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();

  auto listed = list_archive(m_dir / "out.tar.zst");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 4u);
  EXPECT_EQ((*listed)[1].first, "deep/b.bin");

  auto got = extract_archive(m_dir / "out.tar.zst", into(m_dir / "dst"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->entries, 4u);
  EXPECT_EQ(get(m_dir / "dst/a.txt"), "alpha");
  EXPECT_EQ(get(m_dir / "dst/deep/b.bin"), get(m_dir / "src/deep/b.bin"));
  EXPECT_EQ(get(m_dir / "dst/empty"), "");
  EXPECT_EQ(fs::read_symlink(m_dir / "dst/link"), "deep/b.bin");
  EXPECT_EQ(fs::status(m_dir / "dst/a.txt").permissions() & fs::perms::all, fs::perms(0755));
  EXPECT_EQ(fs::last_write_time(m_dir / "dst/a.txt"), fs::last_write_time(m_dir / "src/a.txt"));
}

TEST_F(ArchiveTest, ExtractOverwritesFilesAndReplacesSymlinksWithoutFollowing) {
  put(m_dir / "outside", "keep");
  put(m_dir / "dst/x", "old");
  fs::create_symlink(m_dir / "outside", m_dir / "dst/y");
  write_raw(m_dir / "a.tar.zst", {{"x", 'f', "new"}, {"y", 'f', "replaced"}});
  auto got = extract_archive(m_dir / "a.tar.zst", into(m_dir / "dst"));
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(get(m_dir / "dst/x"), "new");
  EXPECT_EQ(get(m_dir / "dst/y"), "replaced");
  EXPECT_FALSE(fs::is_symlink(m_dir / "dst/y"));
  EXPECT_EQ(get(m_dir / "outside"), "keep");
}

struct Attack {
  const char* what;
  std::vector<RawEntry> entries;
  const char* message;  // a part of the expected error
};

void PrintTo(const Attack& attack, std::ostream* os) {
  *os << attack.what;
}

class ArchiveAttackTest : public ArchiveTest, public ::testing::WithParamInterface<Attack> {};

TEST_P(ArchiveAttackTest, IsRefusedAndWritesNothingOutside) {
  const Attack& attack = GetParam();
  put(m_dir / "etc/passwd", "root");
  write_raw(m_dir / "evil.tar.zst", attack.entries);
  auto got = extract_archive(m_dir / "evil.tar.zst", into(m_dir / "dst"));
  ASSERT_FALSE(got) << attack.what;
  EXPECT_NE(got.error().message.find(attack.message), std::string::npos)
      << attack.what << ": " << got.error().message;
  EXPECT_EQ(get(m_dir / "etc/passwd"), "root");
  EXPECT_FALSE(fs::exists(m_dir / "evil"));
}

INSTANTIATE_TEST_SUITE_P(
    Hostile, ArchiveAttackTest,
    ::testing::Values(
        Attack{"dot-dot", {{"../evil", 'f', "x"}}, "contains '..'"},
        Attack{"nested dot-dot", {{"a/../../evil", 'f', "x"}}, "contains '..'"},
        Attack{"absolute", {{"/tmp/pw-evil-absolute", 'f', "x"}}, "absolute path"},
        Attack{"symlink out then write through it",
               {{"etc", 'l', "../etc"}, {"etc/passwd", 'f', "pwned"}},
               "symlink target '../etc' leaves"},
        Attack{"absolute symlink", {{"l", 'l', "/etc"}}, "symlink target '/etc' leaves"},
        Attack{"symlink climbing after a step",
               {{"s", 'l', "."}, {"t", 'l', "s/../etc"}},
               "symlink target 's/../etc' leaves"},
        Attack{"write through an in-root symlink",
               {{"d", 'd', ""}, {"s", 'l', "d"}, {"s/f", 'f', "x"}},
               "refusing to extract through the symlink"},
        Attack{"hard link", {{"h", 'h', "../etc/passwd"}}, "hard links are not supported"}),
    [](const ::testing::TestParamInfo<Attack>& info) { return std::to_string(info.index); });

TEST_F(ArchiveTest, EntryAndSizeLimits) {
  write_raw(m_dir / "many.tar.zst", {{"a", 'f', "1"}, {"b", 'f', "2"}, {"c", 'f', "3"}});
  ArchiveLimits few;
  few.max_entries = 2;
  auto got = extract_archive(m_dir / "many.tar.zst", into(m_dir / "dst"), few);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "refusing archive: more than 2 entries");
  ArchiveLimits small;
  small.max_bytes = 2;
  got = extract_archive(m_dir / "many.tar.zst", into(m_dir / "dst2"), small);
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().message, "refusing archive: its content exceeds 2 bytes");
  EXPECT_FALSE(list_archive(m_dir / "many.tar.zst", few));
}

TEST_F(ArchiveTest, CorruptAndMissingArchivesFail) {
  put(m_dir / "junk.tar.zst", "not an archive at all");
  EXPECT_FALSE(extract_archive(m_dir / "junk.tar.zst", into(m_dir / "dst")));
  EXPECT_FALSE(extract_archive(m_dir / "missing.tar.zst", into(m_dir / "dst")));
  put(m_dir / "f", std::string(100000, 'q'));
  ASSERT_TRUE(write_archive(m_dir / "t.tar.zst", {{m_dir / "f", "f"}}));
  fs::resize_file(m_dir / "t.tar.zst", fs::file_size(m_dir / "t.tar.zst") / 2);
  EXPECT_FALSE(extract_archive(m_dir / "t.tar.zst", into(m_dir / "dst3")));
}

TEST_F(ArchiveTest, FailedWriteLeavesNothing) {
  auto r = write_archive(m_dir / "out.tar.zst", {{m_dir / "missing", "missing"}});
  ASSERT_FALSE(r);
  EXPECT_TRUE(fs::is_empty(m_dir.path()));
}

TEST_F(ArchiveTest, ParallelWritersKeepEntryOrderForOnePath) {
  // Many small files (written by workers), a large one (streamed), and one name three
  // times: small, then a symlink, then small again; the last entry must win.
  std::vector<RawEntry> entries;
  for (int i = 0; i < 300; ++i)
    entries.push_back({"d" + std::to_string(i % 7) + "/f" + std::to_string(i), 'f',
                       std::string(100 + i, static_cast<char>('a' + i % 26))});
  entries.push_back({"big", 'f', std::string(3 << 20, 'z')});
  entries.push_back({"same", 'f', "first"});
  entries.push_back({"same", 'l', "big"});
  entries.push_back({"same", 'f', "last"});
  std::string archive = m_dir / "a.tar.zst";
  write_raw(archive, entries);
  auto stats = extract_archive(archive, into(m_dir / "out"));
  ASSERT_TRUE(stats) << stats.error().message;
  EXPECT_EQ(stats->entries, entries.size());
  for (int i = 0; i < 300; i += 37)
    EXPECT_EQ(get(m_dir / ("out/d" + std::to_string(i % 7) + "/f" + std::to_string(i))),
              std::string(100 + i, static_cast<char>('a' + i % 26)));
  EXPECT_EQ(fs::file_size(m_dir / "out/big"), size_t{3} << 20);
  EXPECT_FALSE(fs::is_symlink(m_dir / "out/same"));
  EXPECT_EQ(get(m_dir / "out/same"), "last");
}

}  // namespace
}  // namespace pipewright::exec::actions
