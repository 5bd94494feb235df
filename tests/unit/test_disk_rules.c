/* test_disk_rules.c - the NVMe and SCSI rules (src/disk/rules.c), one test
 * per rule: a real smartctl output (tests/data/smartctl) edited to cross
 * the rule, decoded as opsbox reads it, judged with the days before it.
 * Each test also checks the unedited drive is good, so a rule that fires
 * on everything fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "disk/disk.h"
#include "io/smart.h"

static json_t *fixture(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", OB_FIXTURES, name);
    json_error_t e;
    json_t *j = json_load_file(path, 0, &e);
    if (!j)
        fail_msg("%s: %s", path, e.text);
    return j;
}

/* A field of the NVMe health log, SCSI's top level, or smart_status. */
static void set_num(json_t *doc, const char *obj, const char *key, double v)
{
    json_t *o = obj ? json_object_get(doc, obj) : doc;
    assert_non_null(o);
    json_object_set_new(o, key, json_integer((json_int_t)v));
}

static void set_day(json_t *doc, long day)
{
    json_object_set_new(json_object_get(doc, "local_time"), "time_t", json_integer((json_int_t)day * 86400));
}

struct judged {
    struct ob_disk_fleet *f;
    int state;
    double prob;
    char reason[512];
};

static int on_reading(void *arg, const struct ob_disk_reading *r, const char *device)
{
    (void)device;
    struct judged *j = arg;
    float x[OB_DISK_NFEAT];
    if (ob_disk_fleet_add(j->f, r, x) < 0)
        return -1;
    j->state = ob_disk_judge(j->f, r, &j->prob, j->reason, sizeof j->reason);
    return 0;
}

/* Decodes doc as smartctl output into the fleet and judges it. */
static int judge(struct judged *j, json_t *doc)
{
    char *text = json_dumps(doc, 0), err[512];
    assert_non_null(text);
    long n = ob_smartctl_decode(text, strlen(text), "test.json", on_reading, j, err, sizeof err);
    free(text);
    assert_int_equal(n, 1);
    return j->state;
}

#define NVME "nvme_smart_health_information_log"

static void expect(struct judged *j, int state, const char *reason)
{
    if (j->state != state || !strstr(j->reason, reason))
        fail_msg("expected %s with '%s', got %s: %s", ob_disk_state_name(state), reason,
                 ob_disk_state_name(j->state), j->reason);
}

/* The unedited drive on day 1000, then the edit applied on day 1000 + after
 * (after 0: no history). */
static void nvme_case(const char *key, double v, long after, int state, const char *reason)
{
    struct judged j = {.f = ob_disk_fleet_new()};
    json_t *doc = fixture("smart-nvme.json");
    set_day(doc, 1000);
    judge(&j, doc);
    expect(&j, OB_DISK_GOOD, "health log clean");
    assert_true(j.prob > 0 && j.prob < 0.01);
    if (after == 0) {
        ob_disk_fleet_free(j.f);
        j.f = ob_disk_fleet_new();
    }
    set_day(doc, 1000 + after);
    if (!strcmp(key, "passed"))
        json_object_set_new(json_object_get(doc, "smart_status"), "passed", json_false());
    else
        set_num(doc, NVME, key, v);
    judge(&j, doc);
    expect(&j, state, reason);
    assert_true(state != OB_DISK_BAD || j.prob >= 0.3);
    json_decref(doc);
    ob_disk_fleet_free(j.f);
}

static void test_nvme_critical_warning(void **s)
{
    (void)s;
    nvme_case("critical_warning", 4, 0, OB_DISK_BAD, "reliability degraded");
    nvme_case("critical_warning", 8, 0, OB_DISK_BAD, "read-only mode");
    nvme_case("critical_warning", 16, 0, OB_DISK_BAD, "volatile memory backup failed");
    nvme_case("critical_warning", 1, 0, OB_DISK_BAD, "below its threshold");
    nvme_case("critical_warning", 2, 0, OB_DISK_WARNING, "temperature");
    nvme_case("critical_warning", 32, 0, OB_DISK_WARNING, "persistent memory region");
}

static void test_nvme_spare(void **s)
{
    (void)s;
    nvme_case("available_spare", 9, 0, OB_DISK_BAD, "available spare 9% below its threshold 10%");
    nvme_case("available_spare", 10, 0, OB_DISK_GOOD, "clean"); /* at the threshold: not below */
    nvme_case("available_spare", 80, 5, OB_DISK_WARNING, "fell from 100% to 80% in 5 days");
}

static void test_nvme_media_errors(void **s)
{
    (void)s;
    nvme_case("media_errors", 3, 0, OB_DISK_BAD, "3 media errors (data the drive could not recover) (no week");
    nvme_case("media_errors", 3, 2, OB_DISK_BAD, "(+3 in 2 days)");
    /* Old damage: the same 3 errors a week and more later. */
    struct judged j = {.f = ob_disk_fleet_new()};
    json_t *doc = fixture("smart-nvme.json");
    set_num(doc, NVME, "media_errors", 3);
    set_day(doc, 2000);
    judge(&j, doc);
    expect(&j, OB_DISK_BAD, "no week of history");
    set_day(doc, 2008);
    judge(&j, doc);
    expect(&j, OB_DISK_WARNING, "none new in 8 days");
    json_decref(doc);
    ob_disk_fleet_free(j.f);
}

static void test_nvme_wear_power_errlog(void **s)
{
    (void)s;
    nvme_case("percentage_used", 100, 0, OB_DISK_WARNING, "100% of its rated endurance used");
    nvme_case("percentage_used", 99, 0, OB_DISK_GOOD, "clean");
    nvme_case("unsafe_shutdowns", 46, 3, OB_DISK_WARNING, "power lost 3 times in 3 days");
    nvme_case("unsafe_shutdowns", 45, 3, OB_DISK_GOOD, "clean"); /* +2: not yet */
    nvme_case("num_err_log_entries", 500, 1, OB_DISK_GOOD, "500 new error-log entries in 1 days");
    nvme_case("passed", 0, 0, OB_DISK_BAD, "SMART health self-assessment: failed");
}

static void scsi_case(const char *what, double v, long after, double base_defects, int base_state, int state,
                      const char *reason)
{
    struct judged j = {.f = ob_disk_fleet_new()};
    json_t *doc = fixture("smart-scsi.json");
    set_num(doc, NULL, "scsi_grown_defect_list", base_defects);
    set_day(doc, 1000);
    judge(&j, doc);
    assert_int_equal(j.state, base_state);
    if (after == 0) {
        ob_disk_fleet_free(j.f);
        j.f = ob_disk_fleet_new();
    }
    set_day(doc, 1000 + after);
    if (!strcmp(what, "passed"))
        json_object_set_new(json_object_get(doc, "smart_status"), "passed", json_false());
    else if (!strcmp(what, "defects"))
        set_num(doc, NULL, "scsi_grown_defect_list", v);
    else
        set_num(json_object_get(doc, "scsi_error_counter_log"), what, "total_uncorrected_errors", v);
    judge(&j, doc);
    expect(&j, state, reason);
    json_decref(doc);
    ob_disk_fleet_free(j.f);
}

static void test_scsi(void **s)
{
    (void)s;
    /* The fixture as it is: 56 grown defects, nothing to compare with. */
    scsi_case("defects", 56, 0, 56, OB_DISK_WARNING, OB_DISK_WARNING, "grown defect list: 56 (no history");
    scsi_case("defects", 0, 0, 0, OB_DISK_GOOD, OB_DISK_GOOD, "no grown defects or uncorrected errors");
    scsi_case("defects", 60, 3, 56, OB_DISK_WARNING, OB_DISK_BAD, "grown defect list: 60 (+4 in 3 days)");
    scsi_case("defects", 56, 3, 56, OB_DISK_WARNING, OB_DISK_WARNING, "56 (none new in 3 days)");
    scsi_case("read", 2, 0, 0, OB_DISK_GOOD, OB_DISK_BAD, "2 uncorrected read/write errors");
    scsi_case("write", 1, 4, 0, OB_DISK_GOOD, OB_DISK_BAD, "(+1 in 4 days)");
    scsi_case("passed", 0, 0, 0, OB_DISK_GOOD, OB_DISK_BAD, "SMART health self-assessment: failed");
}

static void test_not_for_rules(void **s)
{
    (void)s;
    /* An NVMe drive that printed no health log (smartctl --info): nothing
     * to judge, and an ATA reading is the model's. */
    struct ob_disk_reading r;
    ob_disk_reading_init(&r);
    r.kind = OB_DISK_KIND_NVME;
    double p;
    char why[128];
    assert_int_equal(ob_disk_judge(NULL, &r, &p, why, sizeof why), OB_DISK_UNKNOWN);
    assert_non_null(strstr(why, "no health log"));
    r.kind = OB_DISK_KIND_ATA;
    assert_int_equal(ob_disk_judge(NULL, &r, &p, why, sizeof why), OB_DISK_UNKNOWN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nvme_critical_warning), cmocka_unit_test(test_nvme_spare),
        cmocka_unit_test(test_nvme_media_errors),     cmocka_unit_test(test_nvme_wear_power_errlog),
        cmocka_unit_test(test_scsi),                  cmocka_unit_test(test_not_for_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
