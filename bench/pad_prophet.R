# pad_prophet.R - prometheus-anomaly-detector's model, as it runs, over a
# CSV series: Prophet (daily and weekly seasonality, its default 80 %
# interval) fitted on a rolling window of the last WINDOW days, refitted
# every RETRAIN minutes, forecasting until the next refit; a point outside
# [yhat_lower, yhat_upper] is an anomaly (PAD's rule). Writes NAB's
# timestamp,value,anomaly_score (0 or 1) and prints the fits' seconds.
#
#   Rscript bench/pad_prophet.R IN.csv OUT.csv RETRAIN_MINUTES WINDOW_DAYS
suppressMessages(library(prophet))
args <- commandArgs(trailingOnly = TRUE)
retrain <- as.numeric(args[3]) * 60
window <- as.numeric(args[4]) * 86400
d <- read.csv(args[1])
ds <- as.POSIXct(d$timestamp, tz = "UTC")
t <- as.numeric(ds)
score <- rep(0, nrow(d))
fits <- c()
start <- t[1] + retrain # PAD starts from what Prometheus holds: a first refit's worth
while (start <= t[length(t)]) {
    train <- which(t < start & t >= start - window)
    ahead <- which(t >= start & t < start + retrain)
    if (length(train) >= 10 && length(ahead) > 0) {
        t0 <- Sys.time()
        m <- suppressMessages(prophet(data.frame(ds = ds[train], y = d$value[train]),
                                      daily.seasonality = TRUE, weekly.seasonality = TRUE,
                                      yearly.seasonality = FALSE))
        f <- predict(m, data.frame(ds = ds[ahead]))
        fits <- c(fits, as.numeric(Sys.time() - t0, units = "secs"))
        y <- d$value[ahead]
        score[ahead] <- as.numeric(y < f$yhat_lower | y > f$yhat_upper)
    }
    start <- start + retrain
}
write.csv(data.frame(timestamp = d$timestamp, value = d$value, anomaly_score = score),
          args[2], row.names = FALSE, quote = FALSE)
cat(sprintf("fits %d seconds %.3f\n", length(fits), sum(fits)))
