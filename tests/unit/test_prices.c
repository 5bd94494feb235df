/* test_prices.c - the price table, its analyses and the readers, on inputs
 * small enough to know the answer by hand; and the readers' one promise that
 * a test could not see from outside: the result does not depend on how the
 * input is cut into pieces. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "io/prices_read.h"
#include "prices/prices.h"

static const char offer[] =
    "{\"formatVersion\":\"v1.0\",\"offerCode\":\"AmazonEC2\",\"publicationDate\":\"2024-01-01T00:00:00Z\","
    "\"products\":{\"S1\":{\"sku\":\"S1\",\"productFamily\":\"Compute Instance\",\"attributes\":"
    "{\"regionCode\":\"r1\",\"instanceType\":\"m5.large\",\"vcpu\":\"2\",\"memory\":\"8 GiB\"}},"
    "\"S2\":{\"productFamily\":\"Storage\",\"attributes\":{\"location\":\"Somewhere\",\"usagetype\":\"EBS\"}}},"
    "\"terms\":{\"OnDemand\":{\"S1\":{\"S1.T\":{\"effectiveDate\":\"2023-12-01T00:00:00Z\",\"priceDimensions\":"
    "{\"S1.T.R\":{\"unit\":\"Hrs\",\"beginRange\":\"0\",\"pricePerUnit\":{\"USD\":\"0.0960000000\"}}}}},"
    "\"S2\":{\"S2.T\":{\"priceDimensions\":{\"a\":{\"unit\":\"GB-Mo\",\"beginRange\":\"0\",\"pricePerUnit\":{\"USD\":\"0.1\"}},"
    "\"b\":{\"unit\":\"GB-Mo\",\"beginRange\":\"1000\",\"pricePerUnit\":{\"CNY\":\"7\",\"USD\":\"0.05\"}}}}}},"
    "\"Reserved\":{\"S1\":{\"S1.X\":{\"priceDimensions\":{\"z\":{\"pricePerUnit\":{\"USD\":\"9\"}}}}}}}}";

static struct ob_prices *read_pieces(const char *text, size_t piece)
{
    struct ob_prices *t = ob_prices_new();
    struct ob_prices_reader *r = ob_prices_reader_new(t, 0, "test");
    size_t n = strlen(text);
    for (size_t i = 0; i < n; i += piece)
        assert_int_equal(ob_prices_reader_feed(r, text + i, n - i < piece ? n - i : piece), 0);
    if (ob_prices_reader_finish(r) < 0)
        fail_msg("%s", ob_prices_reader_error(r));
    ob_prices_reader_free(r);
    return t;
}

static const struct ob_price_obs *find(const struct ob_prices *t, const char *sku)
{
    for (size_t i = 0; i < ob_prices_count(t); i++)
        if (!strcmp(ob_prices_str(t, ob_prices_get(t, i)->sku), sku))
            return ob_prices_get(t, i);
    return NULL;
}

static void test_offer_read(void **state)
{
    (void)state;
    struct ob_prices *t = read_pieces(offer, 1 << 20);
    assert_int_equal(ob_prices_count(t), 3); /* reserved terms are not kept */
    const struct ob_price_obs *o = find(t, "S1");
    assert_non_null(o);
    assert_true(o->price == 0.096);
    assert_string_equal(ob_prices_str(t, o->region), "r1");
    assert_string_equal(ob_prices_str(t, o->label), "m5.large");
    assert_string_equal(ob_prices_str(t, o->family), "Compute Instance");
    assert_true(o->vcpu == 2 && o->mem_gib == 8 && o->gpu == 0);
    assert_true(o->ts == 1704067200); /* the publication date, not the term's */
    const struct ob_price_obs *tier = find(t, "S2:1000");
    assert_non_null(tier);
    assert_true(tier->price == 0.05); /* USD preferred over the first currency */
    assert_string_equal(ob_prices_str(t, tier->region), "Somewhere");
    assert_true(tier->vcpu < 0);
    ob_prices_free(t);
}

static void test_pieces_do_not_matter(void **state)
{
    (void)state;
    struct ob_prices *whole = read_pieces(offer, 1 << 20);
    for (size_t piece = 1; piece < 40; piece += 3) {
        struct ob_prices *t = read_pieces(offer, piece);
        assert_int_equal(ob_prices_count(t), ob_prices_count(whole));
        for (size_t i = 0; i < ob_prices_count(t); i++) {
            const struct ob_price_obs *a = ob_prices_get(t, i), *b = ob_prices_get(whole, i);
            assert_string_equal(ob_prices_str(t, a->sku), ob_prices_str(whole, b->sku));
            assert_true(a->price == b->price && a->ts == b->ts);
        }
        ob_prices_free(t);
    }
    ob_prices_free(whole);
}

static void add(struct ob_prices *t, unsigned src, const char *sku, const char *region, double ts,
                double price)
{
    struct ob_price_obs o = {.ts = ts, .price = price, .vcpu = -1, .mem_gib = -1, .gpu = -1,
                             .source = (uint16_t)src};
    o.sku = ob_prices_intern(t, sku, strlen(sku));
    o.region = ob_prices_intern(t, region, strlen(region));
    o.unit = ob_prices_intern(t, "Hrs", 3);
    assert_int_equal(ob_prices_add(t, &o), 0);
}

static void test_changes(void **state)
{
    (void)state;
    struct ob_prices *t = ob_prices_new();
    add(t, 0, "a", "r", 0, 1.0);
    add(t, 0, "b", "r", 0, 2.0);
    add(t, 0, "c", "r", 0, 0.0);
    add(t, 0, "s", "r", 10, 5.0); /* the latest per key counts */
    add(t, 0, "s", "r", 5, 9.0);
    add(t, 1, "a", "r", 1, 1.5);
    add(t, 1, "c", "r", 1, 1.0);
    add(t, 1, "d", "r", 1, 3.0);
    add(t, 1, "s", "r", 1, 5.0);
    add(t, 1, "a", "q", 1, 1.0); /* another region: another key */
    struct ob_price_change *c;
    size_t n;
    assert_int_equal(ob_prices_changes(t, 0, 1, &c, &n), 0);
    assert_int_equal(n, 5);
    /* sorted by family (all empty), region, kind, SKU */
    assert_string_equal(ob_prices_str(t, c[0].region), "q");
    assert_int_equal(c[1].kind, OB_CHANGE_ADDED);
    assert_string_equal(ob_prices_str(t, c[1].sku), "d");
    assert_int_equal(c[2].kind, OB_CHANGE_REMOVED);
    assert_string_equal(ob_prices_str(t, c[2].sku), "b");
    assert_true(isnan(c[2].new_price) && isnan(c[2].pct));
    assert_int_equal(c[3].kind, OB_CHANGE_REPRICED);
    assert_true(fabs(c[3].pct - 50) < 1e-12);
    assert_string_equal(ob_prices_str(t, c[4].sku), "c");
    assert_true(isnan(c[4].pct)); /* from 0: no percentage */
    free(c);
    ob_prices_free(t);
}

static void test_forecast_flat_bill(void **state)
{
    (void)state;
    double daily[90];
    for (int i = 0; i < 90; i++)
        daily[i] = 100;
    struct ob_bill_forecast f;
    /* 2024-01-01 = day 19723; 90 days end on 2024-03-30 */
    assert_int_equal(ob_prices_forecast(daily, 90, 19723, &f), 0);
    assert_int_equal(f.days_left_month, 1);
    assert_int_equal(f.days_left_quarter, 1);
    assert_true(fabs(f.month - 3100) < 1e-6);
    assert_true(fabs(f.quarter - 9100) < 1e-6);
    assert_true(f.month_lo <= f.month && f.month <= f.month_hi);
    assert_true(f.backtests >= 10);
    assert_int_equal(ob_prices_forecast(daily, 0, 19723, &f), -1);
}

static void test_hourly_units(void **state)
{
    (void)state;
    assert_true(ob_prices_unit_hourly("Hrs"));
    assert_true(ob_prices_unit_hourly("1 Hour"));
    assert_false(ob_prices_unit_hourly("GB-Mo"));
    assert_false(ob_prices_unit_hourly("1 Hour (Reservation 1 Year)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offer_read),
        cmocka_unit_test(test_pieces_do_not_matter),
        cmocka_unit_test(test_changes),
        cmocka_unit_test(test_forecast_flat_bill),
        cmocka_unit_test(test_hourly_units),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
