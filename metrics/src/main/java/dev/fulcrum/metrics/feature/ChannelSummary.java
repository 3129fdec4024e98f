package dev.fulcrum.metrics.feature;

/**
 * The five scalars a sampled channel is reduced to each tick (Aquarius, section 5): the mean, the
 * 90th percentile and the standard deviation of the tick's samples, and exponential moving averages
 * of the mean and of the p90 across ticks. {@code count} is how many values the channel saw in the
 * tick; with none, mean, p90 and std are 0 and the averages keep their previous values (no
 * observation is not a zero latency).
 */
public record ChannelSummary(long count, double mean, double p90, double std, double emaMean, double emaP90) {
}
