#!/usr/bin/env python3
"""Writes an AWS Price List offer file of about SIZE bytes, shaped as AWS
publishes the EC2 one (indented, " : " separators, ~30 attributes per
product, products first, then on-demand and reserved terms; reserved terms
are most of the bytes). Prints the number of SKUs to stderr.

  prices_gen_offer.py SIZE_BYTES OUT.json"""
import random
import sys

size, out = int(sys.argv[1]), sys.argv[2]
rnd = random.Random(1)
letters = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
regions = [("us-east-1", "US East (N. Virginia)"), ("eu-west-1", "EU (Ireland)"),
           ("ap-south-1", "Asia Pacific (Mumbai)"), ("us-west-2", "US West (Oregon)"),
           ("sa-east-1", "South America (Sao Paulo)"), ("ca-central-1", "Canada (Central)")]
types = [(f, s, v, m) for f in ("m5", "c5", "r5", "m6i", "c6g", "r6i", "g4dn", "p3")
         for s, v, m in (("large", 2, 8), ("xlarge", 4, 16), ("2xlarge", 8, 32),
                         ("4xlarge", 16, 64), ("8xlarge", 32, 128), ("16xlarge", 64, 256))]
oses = ["Linux", "Windows", "RHEL", "SUSE", "Red Hat Enterprise Linux with HA"]


def sku():
    return "".join(rnd.choice(letters) for _ in range(16))


def product(f, s):
    region, loc = rnd.choice(regions)
    fam, sz, v, m = rnd.choice(types)
    itype = "%s.%s" % (fam, sz)
    attrs = {"servicecode": "AmazonEC2", "location": loc, "locationType": "AWS Region",
             "instanceType": itype, "currentGeneration": "Yes", "instanceFamily": "General purpose",
             "vcpu": str(v), "physicalProcessor": "Intel Xeon Platinum 8175", "clockSpeed": "3.1 GHz",
             "memory": "%d GiB" % m, "storage": "EBS only", "networkPerformance": "Up to 10 Gigabit",
             "processorArchitecture": "64-bit", "tenancy": rnd.choice(["Shared", "Dedicated", "Host"]),
             "operatingSystem": rnd.choice(oses), "licenseModel": "No License required",
             "usagetype": "BoxUsage:" + itype, "operation": "RunInstances",
             "availabilityzone": "NA", "capacitystatus": rnd.choice(["Used", "UnusedCapacityReservation"]),
             "classicnetworkingsupport": "false", "dedicatedEbsThroughput": "Up to 2120 Mbps",
             "ecu": "10", "enhancedNetworkingSupported": "Yes", "gpuMemory": "NA",
             "intelAvxAvailable": "Yes", "intelAvx2Available": "Yes", "intelTurboAvailable": "Yes",
             "marketoption": "OnDemand", "normalizationSizeFactor": "4", "preInstalledSw": "NA",
             "processorFeatures": "Intel AVX; Intel AVX2; Intel AVX512; Intel Turbo",
             "regionCode": region, "servicename": "Amazon Elastic Compute Cloud",
             "vpcnetworkingsupport": "true"}
    if fam in ("g4dn", "p3"):
        attrs["gpu"] = str(max(1, v // 8))
    body = ",\n".join('        "%s" : "%s"' % kv for kv in attrs.items())
    return ('    "%s" : {\n      "sku" : "%s",\n      "productFamily" : "Compute Instance",\n'
            '      "attributes" : {\n%s\n      }\n    }' % (s, s, body)), v


def term(s, code, price, attrs):
    dims = ('          "%s.%s.6YS6EN2CT7" : {\n            "rateCode" : "%s.%s.6YS6EN2CT7",\n'
            '            "description" : "$%.4f per On Demand Linux Instance Hour",\n'
            '            "beginRange" : "0",\n            "endRange" : "Inf",\n'
            '            "unit" : "Hrs",\n            "pricePerUnit" : {\n'
            '              "USD" : "%.10f"\n            },\n            "appliesTo" : [ ]\n          }'
            % (s, code, s, code, price, price))
    ta = ",\n".join('          "%s" : "%s"' % kv for kv in attrs.items())
    return ('      "%s.%s" : {\n        "offerTermCode" : "%s",\n        "sku" : "%s",\n'
            '        "effectiveDate" : "2024-01-01T00:00:00Z",\n        "priceDimensions" : {\n%s\n'
            '        },\n        "termAttributes" : {%s%s%s}\n      }'
            % (s, code, code, s, dims, "\n" if ta else " ", ta, "\n        " if ta else ""))


with open(out, "w") as f:
    f.write('{\n  "formatVersion" : "v1.0",\n  "disclaimer" : "generated for bench/prices.sh",\n'
            '  "offerCode" : "AmazonEC2",\n  "version" : "20240101000000",\n'
            '  "publicationDate" : "2024-01-01T00:00:00Z",\n  "products" : {\n')
    # terms are ~2.5x the products' bytes: size the SKU count from a sample
    skus, vcpus = [], []
    sample = product(None, "X" * 16)[0]
    per_sku = len(sample) * 2.5
    n = max(1, int(size / per_sku))
    for i in range(n):
        s = sku()
        p, v = product(f, s)
        f.write(p + (",\n" if i + 1 < n else "\n"))
        skus.append(s)
        vcpus.append(v)
    f.write('  },\n  "terms" : {\n    "OnDemand" : {\n')
    for i, s in enumerate(skus):
        f.write('    "%s" : {\n%s\n    }%s\n' % (s, term(s, "JRTCKXETXF", vcpus[i] * 0.048, {}),
                                                "," if i + 1 < len(skus) else ""))
    f.write('    },\n    "Reserved" : {\n')
    for i, s in enumerate(skus):
        ts = [term(s, c, vcpus[i] * 0.03, {"LeaseContractLength": l, "OfferingClass": "standard",
                                             "PurchaseOption": "No Upfront"})
              for c, l in (("4NA7Y494T4", "1yr"), ("BPH4J8HBKS", "3yr"))]
        f.write('    "%s" : {\n%s\n    }%s\n' % (s, ",\n".join(ts), "," if i + 1 < len(skus) else ""))
    f.write('    }\n  }\n}\n')
print(len(skus), file=sys.stderr)
