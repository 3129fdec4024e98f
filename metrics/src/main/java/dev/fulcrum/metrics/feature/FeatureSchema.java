package dev.fulcrum.metrics.feature;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Schema version 1 of a backend's feature vector (docs/features.md): the 8 Aquarius counters and 13
 * sampled channels (Yao et al., "Towards Intelligent Load Balancing in Data Centers", MLSys@NeurIPS
 * 2021, figure 8), then what a socket proxy adds: end reasons, retries, open flows, and TCP_INFO
 * channels. Each channel is reduced to five scalars (section 5). The column order here is the order
 * of {@link FeatureVector#values()}, of the dataset's CSV columns and of the stream's arrays.
 */
public final class FeatureSchema {

    public static final int VERSION = 1;

    // Counters: per-tick deltas (n_open is the count at the tick).
    public static final int N_P = 0;
    public static final int N_F = 1;
    public static final int N_FCT = 2;
    public static final int N_CLS = 3;
    public static final int N_NORM = 4;
    public static final int N_DPK = 5;
    public static final int N_OOO = 6;
    public static final int N_RTR = 7;
    public static final int N_END_CLIENT_CLOSE = 8;
    public static final int N_END_BACKEND_CLOSE = 9;
    public static final int N_END_RESET = 10;
    public static final int N_END_TIMEOUT = 11;
    public static final int N_END_OTHER = 12;
    public static final int N_RETRY = 13;
    public static final int N_OPEN = 14;
    public static final List<String> COUNTERS = List.of("n_p", "n_f", "n_fct", "n_cls", "n_norm", "n_dpk", "n_ooo", "n_rtr",
            "n_end_client_close", "n_end_backend_close", "n_end_reset", "n_end_timeout", "n_end_other", "n_retry", "n_open");
    /** The first 8 counters are Aquarius's; the rest are added. */
    public static final int AQUARIUS_COUNTERS = 8;

    // Sampled channels.
    public static final int BYTE_P = 0;
    public static final int BYTE_F = 1;
    public static final int BYTE_F_ON = 2;
    public static final int WIN = 3;
    public static final int D_WIN = 4;
    public static final int LAT_SA = 5;
    public static final int TAU = 6;
    public static final int FCT = 7;
    public static final int PT_1ST = 8;
    public static final int PT_GEN = 9;
    public static final int IAT_F = 10;
    public static final int IAT_P = 11;
    public static final int IAT_PPF = 12;
    public static final int RTT = 13;
    public static final int RTTVAR = 14;
    public static final int RCV_SPACE = 15;
    public static final int CLIENT_RTT = 16;
    public static final List<String> CHANNELS = List.of("byte_p", "byte_f", "byte_f_on", "win", "d_win", "lat_sa", "tau", "fct",
            "pt_1st", "pt_gen", "iat_f", "iat_p", "iat_ppf", "rtt", "rttvar", "rcv_space", "client_rtt");
    public static final int AQUARIUS_CHANNELS = 13;

    public static final List<String> SCALARS = List.of("mean", "p90", "std", "ema_mean", "ema_p90");

    /** Counters that only TCP_INFO gives (epoll): absent (NaN) under NIO. */
    public static final List<Integer> TCP_INFO_COUNTERS = List.of(N_DPK, N_OOO, N_RTR);
    /** Channels that only TCP_INFO gives (epoll): absent (NaN) under NIO. */
    public static final List<Integer> TCP_INFO_CHANNELS = List.of(WIN, D_WIN, RTT, RTTVAR, RCV_SPACE, CLIENT_RTT);

    private static final List<String> COLUMNS;

    static {
        List<String> columns = new ArrayList<>(COUNTERS);
        for (String channel : CHANNELS) {
            for (String scalar : SCALARS) {
                columns.add(channel + "." + scalar);
            }
        }
        COLUMNS = Collections.unmodifiableList(columns);
    }

    private FeatureSchema() {
    }

    /** Every feature's name, in vector order: counters, then {@code <channel>.<scalar>}. */
    public static List<String> columns() {
        return COLUMNS;
    }

    /** Index in the vector of a channel's scalar (0 mean, 1 p90, 2 std, 3 ema_mean, 4 ema_p90). */
    public static int column(int channel, int scalar) {
        return COUNTERS.size() + channel * SCALARS.size() + scalar;
    }

    public static int width() {
        return COLUMNS.size();
    }
}
