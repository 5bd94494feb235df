/* test_cfgmap.c - the config-map engine: every type filled from YAML and
 * from its default, bad values named with file and line, an unknown key
 * with the nearest one, lists and sections, and everything freed (ASan). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <yaml.h>

#include "io/cfgmap.h"

struct item {
    char *url;
    long retries;
};

struct inner {
    char *user;
    int on;
};

struct settings {
    char *name;
    char **tags;
    size_t ntags;
    int flag;
    long count;
    double every, part, mem, unset;
    struct ob_label_pair *labels;
    size_t nlabels;
    struct inner in;
    int in_present;
    struct item *items;
    size_t nitems;
};

static const char *no_slash(const char *v)
{
    return strchr(v, '/') ? "has a slash" : NULL;
}

static int item_finish(void *obj, void *root, char *why, size_t cap)
{
    (void)root;
    if (((struct item *)obj)->url)
        return 0;
    snprintf(why, cap, "url is required");
    return -1;
}

static const struct ob_cfgmap_entry item_entries[] = {
    {.key = "url", .type = OB_CFG_STRING, .offset = offsetof(struct item, url), .help = "where"},
    {.key = "retries", .type = OB_CFG_COUNT, .offset = offsetof(struct item, retries), .def = "3",
     .max = 10, .flags = OB_CFG_ZERO_DEFAULT, .help = "tries"},
    {0},
};
static const struct ob_cfgmap item_map = {item_entries, sizeof(struct item), NULL, item_finish};

static const struct ob_cfgmap_entry inner_entries[] = {
    {.key = "user", .type = OB_CFG_STRING, .offset = offsetof(struct inner, user), .def = "nobody"},
    {.key = "on", .type = OB_CFG_BOOL, .offset = offsetof(struct inner, on), .def = "true"},
    {0},
};
static const struct ob_cfgmap inner_map = {inner_entries, sizeof(struct inner), NULL, NULL};

static const struct ob_cfgmap_entry entries[] = {
    {.key = "name", .type = OB_CFG_STRING, .offset = offsetof(struct settings, name), .def = "x",
     .check = no_slash, .help = "a name"},
    {.key = "tags", .type = OB_CFG_STRINGS, .offset = offsetof(struct settings, tags),
     .count = offsetof(struct settings, ntags), .def = "[a, b c, d]"},
    {.key = "flag", .type = OB_CFG_BOOL, .offset = offsetof(struct settings, flag)},
    {.key = "count", .type = OB_CFG_COUNT, .offset = offsetof(struct settings, count), .def = "7", .max = 100},
    {.key = "scrape_interval", .type = OB_CFG_DURATION, .offset = offsetof(struct settings, every), .def = "1m"},
    {.key = "part", .type = OB_CFG_FRACTION, .offset = offsetof(struct settings, part), .def = "0.5",
     .flags = OB_CFG_OPEN},
    {.key = "memory", .type = OB_CFG_MEMORY, .offset = offsetof(struct settings, mem), .def = "512M"},
    {.key = "unset", .type = OB_CFG_FRACTION, .offset = offsetof(struct settings, unset), .flags = OB_CFG_UNSET},
    {.key = "labels", .type = OB_CFG_LABELS, .offset = offsetof(struct settings, labels),
     .count = offsetof(struct settings, nlabels)},
    {.key = "inner", .type = OB_CFG_SECTION, .offset = offsetof(struct settings, in),
     .count = offsetof(struct settings, in_present), .flags = OB_CFG_PRESENT | OB_CFG_EMPTY, .sub = &inner_map},
    {.key = "items", .type = OB_CFG_LIST, .offset = offsetof(struct settings, items),
     .count = offsetof(struct settings, nitems), .sub = &item_map},
    {0},
};
static const struct ob_cfgmap map = {entries, sizeof(struct settings), NULL, NULL};

/* Fills s from text; 0 or -1 with err. */
static int load(const char *text, struct settings *s, char *err, size_t errlen)
{
    yaml_parser_t p;
    yaml_document_t doc;
    memset(s, 0, sizeof *s);
    assert_int_equal(ob_cfgmap_defaults(&map, s), 0);
    assert_true(yaml_parser_initialize(&p));
    yaml_parser_set_input_string(&p, (const unsigned char *)text, strlen(text));
    assert_true(yaml_parser_load(&p, &doc));
    int rc = ob_cfgmap_fill(&map, s, NULL, &doc, yaml_document_get_root_node(&doc), "t.yml", NULL, err, errlen);
    yaml_document_delete(&doc);
    yaml_parser_delete(&p);
    return rc;
}

static void test_defaults(void **state)
{
    (void)state;
    struct settings s;
    char err[256] = "";
    assert_int_equal(load("{}\n", &s, err, sizeof err), 0);
    assert_string_equal(s.name, "x");
    assert_int_equal(s.ntags, 3);
    assert_string_equal(s.tags[1], "b c");
    assert_true(s.count == 7 && s.every == 60 && s.part == 0.5 && s.mem == 0.5 && isnan(s.unset));
    assert_string_equal(s.in.user, "nobody");
    assert_true(s.in.on && !s.in_present && s.nitems == 0 && s.flag == 0);
    ob_cfgmap_free(&map, &s);
    assert_null(s.name);
}

static void test_every_type(void **state)
{
    (void)state;
    struct settings s;
    char err[256] = "";
    int rc = load("name: y\ntags: [q]\nflag: yes\ncount: 100\nscrape_interval: 1m30s\npart: 0.25\n"
                  "memory: 32GiB\nunset: 1\nlabels: {env: prod, team: ops}\ninner: {user: me, on: false}\n"
                  "items:\n  - {url: a, retries: 0}\n  - {url: b, retries: 5}\n",
                  &s, err, sizeof err);
    if (rc)
        fail_msg("%s", err);
    assert_string_equal(s.name, "y");
    assert_true(s.ntags == 1 && !strcmp(s.tags[0], "q"));
    assert_true(s.flag == 1 && s.count == 100 && s.every == 90 && s.part == 0.25 && s.mem == 32 && s.unset == 1);
    assert_true(s.nlabels == 2 && !strcmp(s.labels[1].name, "team") && !strcmp(s.labels[1].value, "ops"));
    assert_true(s.in_present && !s.in.on && !strcmp(s.in.user, "me"));
    assert_int_equal(s.nitems, 2);
    assert_int_equal(s.items[0].retries, 3); /* 0: the default */
    assert_int_equal(s.items[1].retries, 5);
    assert_string_equal(s.items[1].url, "b");
    ob_cfgmap_free(&map, &s);
    assert_int_equal(load("inner:\n", &s, err, sizeof err), 0); /* empty: the defaults, present */
    assert_true(s.in_present && s.in.on);
    ob_cfgmap_free(&map, &s);
}

static void expect_error(const char *text, const char *want)
{
    struct settings s;
    char err[256] = "";
    int rc = load(text, &s, err, sizeof err);
    ob_cfgmap_free(&map, &s); /* partly filled: freed all the same */
    if (rc == 0 || !strstr(err, want))
        fail_msg("'%s': error '%s' lacks '%s'", text, err, want);
}

static void test_bad_values_with_lines(void **state)
{
    (void)state;
    expect_error("flag: true\ncount: 101\n", "t.yml:2: count: '101' is not a whole number from 0 to 100");
    expect_error("\n\nscrape_interval: fast\n", "t.yml:3: scrape_interval: 'fast' is not a duration");
    expect_error("part: 1\n", "t.yml:1: part: '1' is not a number between 0 and 1 (both excluded)");
    expect_error("memory: lots\n", "memory: 'lots' is not a size");
    expect_error("flag: maybe\n", "flag: 'maybe' is neither true nor false");
    expect_error("name: a/b\n", "t.yml:1: name: 'a/b' has a slash");
    expect_error("name: [a]\n", "name: expected a single value");
    expect_error("tags: a\n", "tags: expected a list");
    expect_error("labels: [a]\n", "labels: expected a mapping");
    expect_error("inner: {on: 2}\n", "inner.on: '2' is neither true nor false");
    expect_error("items:\n  - {url: a}\n  - {retries: 1}\n", "t.yml:3: items: url is required");
    expect_error("items:\n  - {url: a, retries: 11}\n", "t.yml:2: items.retries: '11'");
}

static void test_unknown_key_nearest(void **state)
{
    (void)state;
    expect_error("name: a\nscrape_intervall: 5s\n",
                 "t.yml:2: unknown key 'scrape_intervall'; did you mean 'scrape_interval'?");
    expect_error("inner:\n  usr: me\n", "t.yml:2: inner: unknown key 'usr'; did you mean 'user'?");
    expect_error("items:\n  - {url: a}\n  - {url: b, retires: 2}\n",
                 "t.yml:3: items: unknown key 'retires'; did you mean 'retries'?");
}

static void test_help_from_table(void **state)
{
    (void)state;
    struct ob_buf b = {0};
    ob_cfgmap_help(&map, NULL, &b);
    ob_buf_put(&b, "", 1);
    const char *h = (const char *)b.p;
    for (const struct ob_cfgmap_entry *e = entries; e->type != OB_CFG_END; e++)
        assert_non_null(strstr(h, e->key));
    assert_non_null(strstr(h, "items[].retries"));
    assert_non_null(strstr(h, "inner.user"));
    assert_non_null(strstr(h, "scrape_interval"));
    assert_non_null(strstr(h, "a name"));
    free(b.p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_type),
        cmocka_unit_test(test_bad_values_with_lines),
        cmocka_unit_test(test_unknown_key_nearest),
        cmocka_unit_test(test_help_from_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
