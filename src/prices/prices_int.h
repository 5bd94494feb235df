/* prices_int.h - orderings the prices library's files share (not public). */
#ifndef OB_PRICES_INT_H
#define OB_PRICES_INT_H

/* qsort orders: doubles ascending; observation pointers by SKU, region,
 * time, then address (so equal keys keep a stable, total order). */
int ob__prices_cmp_double(const void *a, const void *b);
int ob__prices_by_series_then_time(const void *a, const void *b);

#endif
