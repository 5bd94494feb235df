/* test_cfgread.c - the readers of `opsbox config`: every dialect read into
 * the same entries (line, section path, normalised key, value), told apart
 * by content, and broken files refused with file:line: what is wrong (or,
 * for Apache blocks users leave open, read on with the problem noted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "io/cfgread.h"

static void parse_ok(const char *text, enum ob_cfg_format fmt, struct ob_cfg_file *f)
{
    char err[256] = "";
    if (ob_cfg_parse(text, strlen(text), "f.conf", fmt, f, err, sizeof err) < 0)
        fail_msg("%s", err);
}

static void parse_bad(const char *text, enum ob_cfg_format fmt, const char *want)
{
    struct ob_cfg_file f;
    char err[256] = "";
    assert_int_equal(ob_cfg_parse(text, strlen(text), "f.conf", fmt, &f, err, sizeof err), -1);
    if (strncmp(err, want, strlen(want)))
        fail_msg("got '%s', want '%s...'", err, want);
    assert_int_equal(f.n, 0);
    ob_cfg_file_clear(&f);
}

static void expect(const struct ob_cfg_file *f, size_t i, unsigned line, const char *section,
                   const char *key, const char *value)
{
    assert_true(i < f->n);
    const struct ob_cfg_entry *e = &f->e[i];
    assert_int_equal(e->line, line);
    assert_string_equal(e->section, section);
    assert_string_equal(e->key, key);
    if (value)
        assert_string_equal(e->value, value);
    else
        assert_null(e->value);
}

static void test_ini(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    parse_ok("# comment\n"
             "[client]\n"
             "port = 3306\n"
             "!include /etc/mysql/other.cnf\n"
             "[MySQLd]\r\n"
             "skip-name-resolve\n"
             "Key_Buffer-Size=16M   # inline\n"
             "; another comment\n"
             "log-error = \"/var/log/my sql.err\"\n"
             "[client]\n"
             "user=me\n",
             OB_CFG_AUTO, &f);
    assert_int_equal(f.n, 5);
    expect(&f, 0, 3, "client", "port", "3306");
    expect(&f, 1, 6, "mysqld", "skip_name_resolve", NULL);
    expect(&f, 2, 7, "mysqld", "key_buffer_size", "16M");
    assert_string_equal(f.e[2].raw_key, "Key_Buffer-Size");
    expect(&f, 3, 9, "mysqld", "log_error", "\"/var/log/my sql.err\"");
    expect(&f, 4, 11, "client", "user", "me");
    /* a section written twice is one scope */
    assert_int_equal(f.e[0].scope, f.e[4].scope);
    assert_true(f.e[0].scope != f.e[1].scope);
    ob_cfg_file_clear(&f);
}

static void test_ini_broken(void **state)
{
    (void)state;
    parse_bad("[mysqld]\nport=1\n[client\nuser=x\n", OB_CFG_AUTO, "f.conf:3: section header");
    parse_bad("[a]\n= 3\n", OB_CFG_INI, "f.conf:2: '=' without a key");
}

static void test_apache(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    parse_ok("ServerRoot \"/etc/httpd\"\n"
             "Listen 80\n"
             "<VirtualHost *:80>\n"
             "    ServerName www.example.com\n"
             "    <Directory \"/var/www\">\n"
             "        Options Indexes FollowSymLinks\n"
             "        ALLOWOVERRIDE None\n"
             "    </directory>\n"
             "    # comment\n"
             "    RewriteRule ^/a$ \\\n"
             "        /b [R]\n"
             "</VirtualHost>\n"
             "KeepAlive On\n",
             OB_CFG_AUTO, &f);
    assert_int_equal(f.n, 7);
    expect(&f, 0, 1, "", "serverroot", "\"/etc/httpd\"");
    expect(&f, 2, 4, "virtualhost", "servername", "www.example.com");
    expect(&f, 3, 6, "virtualhost/directory", "options", "Indexes FollowSymLinks");
    expect(&f, 4, 7, "virtualhost/directory", "allowoverride", "None");
    expect(&f, 5, 10, "virtualhost", "rewriterule", "^/a$ /b [R]");
    expect(&f, 6, 13, "", "keepalive", "On");
    assert_null(f.warning);
    assert_int_equal(f.e[3].scope, f.e[4].scope);
    assert_true(f.e[2].scope != f.e[3].scope && f.e[0].scope != f.e[2].scope);
    ob_cfg_file_clear(&f);
}

static void test_apache_broken(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    /* read on, the problem noted with its line */
    parse_ok("<IfModule a>\nUser x\n</Directory>\n</IfModule>\nGroup y\n<Location /z>\nDeny all\n",
             OB_CFG_APACHE, &f);
    assert_int_equal(f.n, 3);
    assert_non_null(f.warning);
    assert_string_equal(f.warning, "3: </Directory> closes <ifmodule> opened on line 1");
    assert_int_equal(f.nwarnings, 3);
    expect(&f, 1, 5, "", "group", "y");
    ob_cfg_file_clear(&f);
    static const char nul[] = "Listen 80\nUser a\0b\n";
    char err[256];
    assert_int_equal(ob_cfg_parse(nul, sizeof nul - 1, "f.conf", OB_CFG_APACHE, &f, err, sizeof err), -1);
    assert_string_equal(err, "f.conf:2: a NUL byte: not a text file");
    ob_cfg_file_clear(&f);
}

static void test_keyvalue(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    parse_ok("# sysctl and postgresql.conf and redis.conf alike\n"
             "net.ipv4.ip_forward = 1\n"
             "shared_buffers = 128MB  # min 128kB\n"
             "save 900 1\n"
             "appendonly yes\n"
             "listen_addresses='*'\n",
             OB_CFG_AUTO, &f);
    assert_int_equal(f.n, 5);
    expect(&f, 0, 2, "", "net.ipv4.ip_forward", "1");
    expect(&f, 1, 3, "", "shared_buffers", "128MB");
    expect(&f, 2, 4, "", "save", "900 1");
    expect(&f, 3, 5, "", "appendonly", "yes");
    expect(&f, 4, 6, "", "listen_addresses", "'*'");
    ob_cfg_file_clear(&f);
    parse_bad("a = 1\n = 2\n", OB_CFG_KEYVALUE, "f.conf:2: '=' without a key");
}

static void test_yaml(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    parse_ok("server:\n"
             "  port: 8080\n"
             "  tls:\n"
             "    enabled: true\n"
             "  hosts: [a, b]\n"
             "jobs:\n"
             "  - name: x\n"
             "    interval: 15s\n"
             "  - name: y\n",
             OB_CFG_AUTO, &f);
    assert_int_equal(f.n, 7);
    expect(&f, 0, 2, "server", "port", "8080");
    expect(&f, 1, 4, "server/tls", "enabled", "true");
    expect(&f, 2, 5, "server", "hosts", "a");
    expect(&f, 3, 5, "server", "hosts", "b");
    expect(&f, 4, 7, "jobs", "name", "x");
    expect(&f, 5, 8, "jobs", "interval", "15s");
    assert_int_equal(f.e[4].scope, f.e[5].scope);
    assert_true(f.e[6].scope != f.e[5].scope);
    ob_cfg_file_clear(&f);
    parse_bad("a: 1\nb: [1, 2\nc: 3\n", OB_CFG_YAML, "f.conf:");
    parse_bad("a: 1\n  b: 2\n", OB_CFG_YAML, "f.conf:2:");
}

static void test_xml(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    parse_ok("<?xml version=\"1.0\"?>\n"
             "<configuration>\n"
             "  <property>\n"
             "    <name>dfs.replication</name>\n"
             "    <value>3</value>\n"
             "  </property>\n"
             "  <property><name> hbase.rootdir </name><value>hdfs://x/hbase</value></property>\n"
             "  <server port=\"80\"><threads>4</threads></server>\n"
             "</configuration>\n",
             OB_CFG_AUTO, &f);
    assert_int_equal(f.n, 4);
    expect(&f, 0, 4, "", "dfs.replication", "3");
    expect(&f, 1, 7, "", "hbase.rootdir", "hdfs://x/hbase");
    expect(&f, 2, 8, "server", "port", "80");
    expect(&f, 3, 8, "server", "threads", "4");
    ob_cfg_file_clear(&f);
    parse_bad("<?xml version=\"1.0\"?>\n<configuration>\n<property><name>a</nam>\n</configuration>\n",
              OB_CFG_XML, "f.conf:3: ");
}

static void test_detect(void **state)
{
    (void)state;
#define DETECT(s) ob_cfg_detect(s, strlen(s))
    assert_int_equal(DETECT("[a]\nb=1\n"), OB_CFG_INI);
    assert_int_equal(DETECT("# x\nListen 80\n<Directory />\nOptions None\n</Directory>\n"),
                     OB_CFG_APACHE);
    assert_int_equal(DETECT("<IfModule x>\nUser a\n</IfModule>\n"), OB_CFG_APACHE);
    assert_int_equal(DETECT("a = 1\nb 2\n"), OB_CFG_KEYVALUE);
    assert_int_equal(DETECT("a:\n  b: 1\nc: [1]\n"), OB_CFG_YAML);
    assert_int_equal(DETECT("<?xml version=\"1.0\"?><c><p><name>a</name></p></c>"), OB_CFG_XML);
    assert_int_equal(ob_cfg_format_from_name("yaml"), OB_CFG_YAML);
    assert_int_equal(ob_cfg_format_from_name("toml"), -1);
    assert_string_equal(ob_cfg_format_name(OB_CFG_APACHE), "apache");
}

static void test_file_errors(void **state)
{
    (void)state;
    struct ob_cfg_file f;
    char err[256];
    assert_int_equal(ob_cfg_read_file("/nonexistent/x.cnf", OB_CFG_AUTO, &f, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/x.cnf: "));
    ob_cfg_file_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini),      cmocka_unit_test(test_ini_broken),
        cmocka_unit_test(test_apache),   cmocka_unit_test(test_apache_broken),
        cmocka_unit_test(test_keyvalue), cmocka_unit_test(test_yaml),
        cmocka_unit_test(test_xml),      cmocka_unit_test(test_detect),
        cmocka_unit_test(test_file_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
