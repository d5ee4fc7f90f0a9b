#include "pipewright/exec/masker.h"

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "pipewright/exec/mask_encodings.h"

namespace pipewright::exec {
namespace {

// Reference: every occurrence of every form, overlapping ones merged, each
// merged run replaced by "***" (the masker's contract), by brute force.
std::string reference_mask(std::string_view text, const std::vector<std::string>& secrets) {
  std::vector<std::string> patterns;
  for (const std::string& secret : secrets) {
    for (const std::string& part : secret_parts(secret)) {
      for (std::string& form : encoded_forms(part, k_min_secret_length)) {
        patterns.push_back(std::move(form));
      }
    }
  }
  std::vector<std::pair<size_t, size_t>> spans;
  for (const std::string& pattern : patterns) {
    for (size_t at = text.find(pattern); at != std::string_view::npos;
         at = text.find(pattern, at + 1)) {
      spans.emplace_back(at, at + pattern.size());
    }
  }
  std::sort(spans.begin(), spans.end());
  std::string out;
  size_t pos = 0;
  for (size_t i = 0; i < spans.size();) {
    auto [start, end] = spans[i];
    for (++i; i < spans.size() && spans[i].first < end; ++i)
      end = std::max(end, spans[i].second);
    out.append(text.substr(pos, start - pos));
    out.append("***");
    pos = end;
  }
  out.append(text.substr(pos));
  return out;
}

template <typename F>
void for_each_line_of(std::string_view text, F each) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    each(text.substr(0, nl));
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
  }
}

std::string stream_in_chunks(const Masker& masker, std::string_view text,
                             const std::vector<size_t>& cuts) {
  MaskStream stream(masker);
  std::string out;
  size_t pos = 0;
  for (size_t cut : cuts) {
    stream.write(text.substr(pos, cut - pos), out);
    pos = cut;
  }
  stream.write(text.substr(pos), out);
  stream.finish(out);
  return out;
}

TEST(Masker, PassesTextThroughWithoutSecrets) {
  Masker masker;
  EXPECT_EQ(masker.mask("hello\nworld"), "hello\nworld");
  MaskStream stream(masker);
  std::string out;
  stream.write("partial line", out);
  EXPECT_EQ(out, "partial line");
}

TEST(Masker, MasksEveryOccurrence) {
  Masker masker;
  EXPECT_TRUE(masker.add_secret("hunter2!").empty());
  EXPECT_EQ(masker.mask("pw=hunter2! again hunter2!\n"), "pw=*** again ***\n");
  EXPECT_EQ(masker.mask("hunter2!hunter2!"), "******");
  EXPECT_EQ(masker.mask("hunter2"), "hunter2");
}

TEST(Masker, SecretSplitAtEveryOffsetIsMasked) {
  Masker masker;
  masker.add_secret("s3cr3t-value");
  std::string text = "before s3cr3t-value after\n";
  std::string expected = "before *** after\n";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(stream_in_chunks(masker, text, {cut}), expected) << "cut at " << cut;
    for (size_t second = cut; second <= text.size(); ++second) {
      ASSERT_EQ(stream_in_chunks(masker, text, {cut, second}), expected)
          << "cuts at " << cut << ", " << second;
    }
  }
}

TEST(Masker, ByteByByteStreamIsMasked) {
  Masker masker;
  masker.add_secret("abcdef");
  masker.add_secret("cdefgh");
  std::string text = "xxabcdefghyy abcdeX";
  std::vector<size_t> cuts;
  for (size_t i = 1; i < text.size(); ++i)
    cuts.push_back(i);
  EXPECT_EQ(stream_in_chunks(masker, text, cuts), "xx***yy abcdeX");
}

TEST(Masker, HoldsBackOnlyWhatCouldStartASecret) {
  Masker masker;
  masker.add_secret("topsecret");
  MaskStream stream(masker);
  std::string out;
  stream.write("line one\nline two top", out);
  EXPECT_EQ(out, "line one\nline two ");
  EXPECT_EQ(stream.pending_bytes(), 3u);
  stream.write("ic\n", out);
  EXPECT_EQ(out, "line one\nline two topic\n");
  EXPECT_EQ(stream.pending_bytes(), 0u);
  stream.write("tops", out);
  stream.finish(out);
  EXPECT_EQ(out, "line one\nline two topic\ntops");
}

TEST(Masker, LongestMatchWinsWhenSecretsOverlap) {
  Masker masker;
  masker.add_secret("abcd");
  masker.add_secret("abcdefgh");
  masker.add_secret("ghijkl");
  EXPECT_EQ(masker.mask("[abcdefgh]"), "[***]");
  EXPECT_EQ(masker.mask("[abcdx]"), "[***x]");
  EXPECT_EQ(masker.mask("[abcdefghijkl]"), "[***]");  // chained overlaps: one run
  Masker nested;
  nested.add_secret("xbcdefx");
  nested.add_secret("cdef");
  EXPECT_EQ(nested.mask("axbcdefxa"), "a***a");
}

TEST(Masker, MultiLineSecretWholeAndLineByLine) {
  Masker masker;
  masker.add_secret("-----BEGIN KEY-----\n  line-two-data\r\nlast-line\n");
  EXPECT_EQ(masker.mask("-----BEGIN KEY-----\n  line-two-data\r\nlast-line\n"), "***");
  EXPECT_EQ(masker.mask("x line-two-data y"), "x *** y");
  EXPECT_EQ(masker.mask("last-line\r\n"), "***\r\n");
  EXPECT_EQ(masker.mask("-----BEGIN KEY-----"), "***");
  // Split at every offset inside the multi-line value.
  std::string text = "key: -----BEGIN KEY-----\n  line-two-data\r\nlast-line\n!";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    EXPECT_EQ(stream_in_chunks(masker, text, {cut}), "key: ***!") << "cut at " << cut;
  }
}

TEST(Masker, CrLfLinesOfASecretAreTrimmed) {
  std::vector<std::string> parts = secret_parts("first-line\r\nsecond-line\r\n\r\n");
  EXPECT_EQ(parts, (std::vector<std::string>{"first-line\r\nsecond-line\r\n\r\n", "first-line",
                                             "second-line"}));
}

TEST(Masker, MasksEachEncodedForm) {
  const std::string secret = "p@ss w\"o'r&d<>/+?";
  Masker masker;
  masker.add_secret(secret);
  const std::vector<std::string> forms = {
      json_escape(secret),
      url_encode(secret, HexCase::upper),
      url_encode(secret, HexCase::lower),
      xml_escape(secret),
      "p@ss w\\\"o'r&d<>/+?",    // \" escaped
      "p@ss w\"o''r&d<>/+?",     // '' quoted
      "p@ss w\"o'\\''r&d<>/+?",  // shell '\''
  };
  for (const std::string& form : forms) {
    EXPECT_EQ(masker.mask("[" + form + "]"), "[***]") << form;
  }
  EXPECT_EQ(url_encode("a b/é", HexCase::upper), "a%20b%2F%C3%A9");
  EXPECT_EQ(url_encode("a b/é", HexCase::lower), "a%20b%2f%c3%a9");
  EXPECT_EQ(json_escape("a\"b\\c\nd\te\x01"), "a\\\"b\\\\c\\nd\\te\\u0001");
  EXPECT_EQ(xml_escape("<a href='x'>&\"</a>"), "&lt;a href=&apos;x&apos;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(Masker, MasksBase64AtEveryOffsetInsideLargerText) {
  const std::string secret = "correct-horse-battery";
  Masker masker;
  masker.add_secret(secret);
  for (const std::string prefix : {"", "x", "xy", "xyz", "user:"}) {
    for (const std::string suffix : {"", "!", "!?"}) {
      std::string plain = prefix + secret + suffix;
      for (Base64Alphabet alphabet : {Base64Alphabet::standard, Base64Alphabet::url}) {
        std::string encoded = base64_encode(plain, alphabet);
        std::string masked = masker.mask(encoded);
        EXPECT_NE(masked.find("***"), std::string::npos) << encoded;
        // What is left around *** is at most the 3 characters the prefix and
        // suffix bytes can influence on each side.
        EXPECT_LE(masked.size(), 3 + 4 + 4 + prefix.size() * 2 + suffix.size() * 2) << masked;
      }
    }
  }
}

TEST(Masker, Base64StablePartDependsOnlyOnTheValue) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_encode("\xfb\xff", Base64Alphabet::url), "-_8=");
  for (int offset = 0; offset < 3; ++offset) {
    std::string stable = base64_stable_part("secretvalue", offset);
    ASSERT_FALSE(stable.empty());
    for (const std::string prefix : {"", "a", "bb", "ccc"}) {
      for (const std::string& p : {std::string(offset, 'Q'), std::string(offset, '\xff')}) {
        std::string encoded = base64_encode(prefix + std::string(3 - prefix.size() % 3, '-') + p +
                                            "secretvalue" + "ZZ");
        EXPECT_NE(encoded.find(stable), std::string::npos)
            << "offset " << offset << " prefix " << prefix;
      }
    }
  }
}

TEST(Masker, EncodedFormSplitAtEveryOffsetIsMasked) {
  const std::string secret = "multi \"line\"\nsecret value";
  Masker masker;
  masker.add_secret(secret);
  std::string text = "{\"token\":\"" + json_escape(secret) +
                     "\"} url=" + url_encode(secret, HexCase::lower) + "&x\n";
  std::string expected = "{\"token\":\"***\"} url=***&x\n";
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    ASSERT_EQ(stream_in_chunks(masker, text, {cut}), expected) << "cut at " << cut;
  }
}

TEST(Masker, AddingTheSameSecretTwiceChangesNothing) {
  Masker masker;
  masker.add_secret("same-secret");
  size_t patterns = masker.pattern_count();
  std::shared_ptr<const AhoCorasick> automaton = masker.automaton();
  masker.add_secret("same-secret");
  EXPECT_EQ(masker.pattern_count(), patterns);
  EXPECT_EQ(masker.automaton(), automaton);
  masker.add_secret("other-secret");
  EXPECT_GT(masker.pattern_count(), patterns);
}

TEST(Masker, ShortSecretsAreMaskedWithAWarning) {
  Masker masker;
  std::vector<MaskWarning> warnings = masker.add_secret("abc");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].kind, MaskWarning::Kind::short_secret);
  EXPECT_EQ(warnings[0].message.find("abc"), std::string::npos);  // never the value
  EXPECT_EQ(masker.mask("xabcx"), "x***x");
  EXPECT_EQ(masker.add_secret("long-enough\nab").size(), 1u);  // the short line
  EXPECT_TRUE(masker.add_secret("   ").empty());
  EXPECT_TRUE(masker.add_secret("").empty());
  EXPECT_EQ(masker.mask("   "), "   ");
}

TEST(Masker, BinaryAndInvalidUtf8PassThrough) {
  Masker masker;
  masker.add_secret(std::string("se\xff\x00cret", 7));
  std::string binary;
  std::mt19937 random(7);
  for (int i = 0; i < 100000; ++i)
    binary.push_back(static_cast<char>(random() & 0xff));
  std::string text = binary + std::string("se\xff\x00cret", 7) + "\xc3\x28";
  std::string masked = masker.mask(text);
  EXPECT_EQ(masked, reference_mask(text, {std::string("se\xff\x00cret", 7)}));
  EXPECT_EQ(masked.substr(masked.size() - 5), "***\xc3\x28");
}

TEST(Masker, RepeatedOverlapsKeepMemoryBounded) {
  Masker masker;
  masker.add_secret("aaaa");
  MaskStream stream(masker);
  std::string out;
  std::string chunk(4096, 'a');
  for (int i = 0; i < 256; ++i) {
    stream.write(chunk, out);
    EXPECT_LE(stream.pending_bytes(), 4u);
  }
  stream.write("b", out);
  stream.finish(out);
  EXPECT_EQ(out, "***b");
}

TEST(Masker, AddedSecretAppliesToSubsequentAndHeldBackOutput) {
  Masker masker;
  masker.add_secret("zzzz-unrelated");
  MaskStream stream(masker);
  std::string out;
  stream.write("token=late-secret\nnext: late-sec", out);
  EXPECT_EQ(out, "token=late-secret\nnext: late-sec");
  masker.add_secret("late-secret");
  stream.write("ret and late-secret\n", out);
  stream.finish(out);
  // Already written output stays; the rest, held-back bytes included, is masked.
  EXPECT_EQ(out, "token=late-secret\nnext: late-secret and ***\n");

  Masker held;
  held.add_secret("new-secret-value-long");
  MaskStream held_stream(held);
  std::string held_out;
  held_stream.write("x new-secret", held_out);  // held: could start the first secret
  EXPECT_EQ(held_out, "x ");
  held.add_secret("new-secret");
  held_stream.write("!", held_out);
  held_stream.finish(held_out);
  EXPECT_EQ(held_out, "x ***!");
}

TEST(Masker, FiftySecretsOverALargeStreamMatchTheReference) {
  std::mt19937 random(42);
  auto random_text = [&](size_t length, std::string_view alphabet) {
    std::string text;
    for (size_t i = 0; i < length; ++i)
      text.push_back(alphabet[random() % alphabet.size()]);
    return text;
  };
  std::vector<std::string> secrets;
  for (int i = 0; i < 50; ++i) {
    secrets.push_back(
        random_text(6 + random() % 30, "abcdefghijklmnopqrstuvwxyz0123456789+/ \"'&"));
  }
  secrets.push_back("abcdef");
  secrets.push_back("cdefgh\nline two");
  Masker masker;
  for (const std::string& secret : secrets)
    masker.add_secret(secret);

  std::string text;
  while (text.size() < 2'000'000) {
    switch (random() % 6) {
      case 0:
        text += secrets[random() % secrets.size()];
        break;
      case 1:
        text += base64_encode(random_text(random() % 3, "xyz") + secrets[random() % 50]);
        break;
      case 2:
        text += url_encode(secrets[random() % 50], HexCase::lower);
        break;
      case 3:
        text += "\n";
        break;
      default:
        text += random_text(1 + random() % 80, "abcdefghij klmnop\t=:");
        break;
    }
  }
  std::string expected = reference_mask(text, secrets);
  std::vector<size_t> cuts;
  for (size_t pos = 0; pos < text.size(); pos += 1 + random() % 9000)
    cuts.push_back(pos);
  EXPECT_TRUE(stream_in_chunks(masker, text, cuts) == expected);
  EXPECT_TRUE(masker.mask(text) == expected);
}

// mask_lines() on a block equals mask() on each line alone, line breaks kept,
// multi-line secrets and forms that would span a break included.
TEST(Masker, MaskLinesEqualsMaskingEachLine) {
  std::mt19937 random(7);
  auto random_text = [&](size_t length, std::string_view alphabet) {
    std::string text;
    for (size_t i = 0; i < length; ++i)
      text.push_back(alphabet[random() % alphabet.size()]);
    return text;
  };
  std::vector<std::string> secrets;
  for (int i = 0; i < 50; ++i)
    secrets.push_back(random_text(4 + random() % 20, "abcdefghijklmnop0123456789+/"));
  secrets.push_back("first line\nsecond line");
  secrets.push_back("ab\ncd");
  Masker masker;
  for (const std::string& secret : secrets)
    masker.add_secret(secret);
  std::string block;
  while (block.size() < 500'000) {
    switch (random() % 5) {
      case 0:
        block += secrets[random() % secrets.size()];
        break;
      case 1:
        block += base64_encode(secrets[random() % secrets.size()]);
        break;
      case 2:
        block += "\n";
        break;
      default:
        block += random_text(1 + random() % 60, "abcdefghijklmnop0123456789 ");
        break;
    }
  }
  block += "\n";
  std::string expected;
  for_each_line_of(block, [&](std::string_view line) { expected += masker.mask(line) + "\n"; });
  std::string out = "kept:";
  masker.mask_lines(block, out);
  EXPECT_TRUE(out == "kept:" + expected);
  EXPECT_NE(expected.find("***"), std::string::npos);
}

TEST(Masker, MaskLinesWithoutSecretsCopies) {
  Masker masker;
  std::string out;
  masker.mask_lines("a\nb\n", out);
  EXPECT_EQ(out, "a\nb\n");
}

// The start-pair filter must not skip a one-byte secret, nor a secret at the
// very end of the text, nor one right after a near miss.
TEST(Masker, PairFilterKeepsEdgeMatches) {
  Masker masker;
  masker.add_secret("zq-secret");
  EXPECT_EQ(masker.mask("zzq-secret"), "z***");
  EXPECT_EQ(masker.mask("zq-secre"), "zq-secre");
  EXPECT_EQ(masker.mask("xx zq-secret"), "xx ***");
  std::string out;
  masker.mask_lines("zq-secretzq-secret\nzzq-secret\n", out);
  EXPECT_EQ(out, "******\nz***\n");  // adjacent occurrences stay apart
  masker.add_secret("Q");
  EXPECT_EQ(masker.mask("aQb zq-secret"), "a***b ***");
  out.clear();
  masker.mask_lines("Q\naQ\n", out);
  EXPECT_EQ(out, "***\na***\n");
}

// The skip ahead (Wu–Manber over byte pairs) must find every occurrence whatever
// the shortest form: two bytes, a few, or longer than its 256-byte window.
TEST(Masker, SkippingFindsEveryOccurrenceForAnyShortestLength) {
  std::mt19937 random(11);
  auto random_text = [&](size_t length, std::string_view alphabet) {
    std::string text;
    for (size_t i = 0; i < length; ++i)
      text.push_back(alphabet[random() % alphabet.size()]);
    return text;
  };
  for (size_t shortest : {2u, 3u, 5u, 40u, 300u}) {
    std::vector<std::string> secrets;
    for (int i = 0; i < 8; ++i)
      secrets.push_back(random_text(shortest + random() % 20, "abcdef"));
    Masker masker;
    for (const std::string& secret : secrets)
      masker.add_secret(secret);
    std::string text;
    while (text.size() < 200'000) {
      if (random() % 4 == 0)
        text += secrets[random() % secrets.size()];
      else
        text += random_text(1 + random() % 50, "abcdefgh\n");
    }
    std::string expected = reference_mask(text, secrets);
    EXPECT_TRUE(masker.mask(text) == expected) << "shortest " << shortest;
    std::vector<size_t> cuts;
    for (size_t pos = 0; pos < text.size(); pos += 1 + random() % 5000)
      cuts.push_back(pos);
    EXPECT_TRUE(stream_in_chunks(masker, text, cuts) == expected) << "shortest " << shortest;
  }
}

TEST(Masker, AddingWhileAnotherThreadMasksIsSafe) {
  Masker masker;
  masker.add_secret("initial-secret");
  std::atomic<bool> done = false;
  std::atomic<size_t> written = 0;
  std::thread adder([&] {
    // Adds only once the stream is writing, so the two really overlap (a fast adder
    // used to finish before the first write).
    while (written == 0)
      std::this_thread::yield();
    for (int i = 0; i < 200; ++i)
      masker.add_secret("secret-number-" + std::to_string(i));
    done = true;
  });
  MaskStream stream(masker);
  std::string out;
  do {
    stream.write("some initial-secret output\n", out);
    written += 1;
  } while (!done);
  adder.join();
  stream.write("secret-number-199\n", out);
  stream.finish(out);
  EXPECT_EQ(out.find("initial-secret"), std::string::npos);
  EXPECT_TRUE(out.ends_with("***\n"));
  EXPECT_GT(written.load(), 0u);
}

}  // namespace
}  // namespace pipewright::exec
