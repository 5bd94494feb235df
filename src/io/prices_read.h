/* prices_read.h - reads price lists as providers publish them into a price
 * table (src/prices), streaming: memory grows with the SKUs kept, never
 * with the file's size. The format is told from the content:
 *   - AWS Price List bulk offer file, JSON (offers/v1.0/aws/<service>/.../
 *     index.json: products, then terms; on-demand terms are kept)
 *   - the same offer file as CSV (its metadata lines, then a header row)
 *   - AWS spot price history, as `aws ec2 describe-spot-price-history`
 *     prints it ({"SpotPriceHistory": [...]}), or one object a line
 *   - Azure Retail Prices API pages ({"Items": [...], "NextPageLink": ...}),
 *     or a JSON array of their items
 *   - plain CSV: time,sku,region,price,unit[,attributes...], with a header
 *     naming the columns, or without one (attributes then as key=value).
 * gzip-compressed files are read as they are. */
#ifndef OB_PRICES_READ_H
#define OB_PRICES_READ_H

#include "prices/prices.h"

#include <stddef.h>

struct ob_prices_reader;

/* new: adds what it reads to t (borrowed) as source `source`; name (copied)
 * names the input in errors. NULL when memory runs out. */
struct ob_prices_reader *ob_prices_reader_new(struct ob_prices *t, unsigned source,
                                              const char *name);
void ob_prices_reader_free(struct ob_prices_reader *r);

/* Feed the input in pieces of any size, then finish. Each returns 0, or -1
 * with ob_prices_reader_error() naming the input, the place (JSON: byte
 * offset and path such as $.products.ABC.attributes.vcpu; CSV: line) and
 * what is wrong. */
int ob_prices_reader_feed(struct ob_prices_reader *r, const void *buf, size_t len);
int ob_prices_reader_finish(struct ob_prices_reader *r);
const char *ob_prices_reader_error(const struct ob_prices_reader *r);
/* "aws-offer", "aws-offer-csv", "aws-spot", "azure", "csv", or "" before any. */
const char *ob_prices_reader_format(const struct ob_prices_reader *r);

/* Reads the file at path ("-": stdin) whole. 0, or -1 with err filled. */
int ob_prices_read_file(struct ob_prices *t, unsigned source, const char *path, char *err,
                        size_t errlen);

/* The same for path, or, when path is a folder, for each regular file in
 * it (in name order, all as the one source: a snapshot published in many
 * files, as Azure's pages or AWS's per-region offers are). */
int ob_prices_read_path(struct ob_prices *t, unsigned source, const char *path, char *err,
                        size_t errlen);

#endif
