package dev.fulcrum.proxy;

import dev.fulcrum.proxy.config.ListenerConfig;
import dev.fulcrum.proxy.config.ListenerConfig.ProxyProtocol;
import dev.fulcrum.proxy.config.ValueParsers;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol.AddressFamily;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads a client's PROXY protocol header before its flow picks a backend, on listeners with
 * {@code proxyProtocol} on. It sits between Netty's {@link HAProxyMessageDecoder} and the
 * {@link RelayHandler}; both it and the decoder leave the pipeline once the header is read, so
 * the relay path is the same as on a listener without PROXY protocol.
 *
 * <p>The client socket has auto-read off: this handler asks for the first read, and the decoder
 * asks for more while the header is incomplete. Bytes read past the header are handed to the
 * relay by the decoder when it leaves, and held there until the backend is connected.
 *
 * <p>A malformed, too long or unaccepted header, or one not complete within
 * {@code proxyProtocolTimeout}, resets the client and ends the flow as
 * {@link EndReason#BAD_PROXY_HEADER} with a warning naming the listener, the sender and the fault;
 * no backend was ever picked for it.
 */
final class ProxyHeaderReader extends ChannelInboundHandlerAdapter {

    /**
     * Bytes of v2 TLVs (ALPN, authority, TLS details, cloud endpoint ids) accepted; a v2 header is
     * then at most 16 + 216 + this. HAProxy and the cloud load balancers send far less.
     */
    static final int MAX_TLV_BYTES = 2048;

    private final ProxiedFlow flow;
    private final ProxyProtocol accepted;
    private final long timeoutMillis;
    private ScheduledFuture<?> deadline;
    /** The header was read or found wrong: nothing more to decide. */
    private boolean decided;

    private ProxyHeaderReader(ProxiedFlow flow, ListenerConfig config) {
        this.flow = flow;
        this.accepted = config.proxyProtocol();
        this.timeoutMillis = config.proxyProtocolTimeout().toMillis();
    }

    /** Adds the decoder and this reader to a new client pipeline (before its relay handler). */
    static void addTo(ChannelPipeline pipeline, ProxiedFlow flow, ListenerConfig config) {
        pipeline.addLast(new HAProxyMessageDecoder(MAX_TLV_BYTES), new ProxyHeaderReader(flow, config));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The relay handler counts the connection first; over the listener's limit it is closed.
        ctx.fireChannelActive();
        if (!ctx.channel().isActive()) {
            return;
        }
        String late = "no complete header within " + ValueParsers.formatDuration(Duration.ofMillis(timeoutMillis));
        deadline = ctx.executor().schedule(() -> reject(late), timeoutMillis, TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            // Only after a failed header (the decoder passes on nothing before a good one): drop it.
            ReferenceCountUtil.release(msg);
            return;
        }
        try {
            String wrongVersion = versionProblem(header.protocolVersion());
            if (wrongVersion != null) {
                reject(wrongVersion);
                return;
            }
            decided = true;
            cancelDeadline();
            // The decoder removes itself once its channelRead returns, passing on what it read past
            // the header; removing it here would make its own removal fail.
            ctx.pipeline().remove(this);
            flow.proxyHeaderRead(sourceOf(header));
        } finally {
            header.release();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE && !decided) {
            reject("the client shut its side before the header was complete");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The decoder throws HAProxyProtocolException (a DecoderException) for a malformed or
        // too long header, after closing the connection itself; anything else is the relay's.
        if (cause instanceof DecoderException && !decided) {
            reject(describe(cause));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    private void reject(String what) {
        if (decided) {
            return;
        }
        decided = true;
        cancelDeadline();
        InetSocketAddress sender = (InetSocketAddress) flow.channel(ProxiedFlow.Side.CLIENT).remoteAddress();
        // The sender's address without its port, so that repeats from one sender fold into one line.
        flow.warn("bad PROXY protocol header from " + (sender == null ? "?" : sender.getAddress().getHostAddress())
                + ": " + what);
        flow.abortWithReset(EndReason.BAD_PROXY_HEADER);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private String versionProblem(HAProxyProtocolVersion version) {
        boolean isV1 = version == HAProxyProtocolVersion.V1;
        if (accepted == ProxyProtocol.ANY || (accepted == ProxyProtocol.V1) == isV1) {
            return null;
        }
        return "a " + version.name().toLowerCase(Locale.ROOT) + " header (expected: "
                + accepted.configName() + ", as the listener's proxyProtocol says)";
    }

    /**
     * The messages along the cause chain, outermost first ("invalid HAProxy message: invalid IPv4
     * address: ..."); a wrapper whose message is only its cause's toString() is skipped.
     */
    static String describe(Throwable cause) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message == null || (t.getCause() != null && message.equals(t.getCause().toString()))) {
                continue;
            }
            text.append(text.length() == 0 ? "" : ": ").append(message);
        }
        return text.length() == 0 ? cause.toString() : text.toString();
    }

    /**
     * The client a header names, or {@code null} to keep the connection's own address: for a v2
     * LOCAL command (the load balancer's own connection, such as its health check) and for
     * families without an IP address (v1 {@code UNKNOWN}, v2 {@code UNSPEC} or UNIX sockets).
     */
    static InetSocketAddress sourceOf(HAProxyMessage header) {
        if (header.command() != HAProxyCommand.PROXY) {
            return null;
        }
        AddressFamily family = header.proxiedProtocol().addressFamily();
        if (family != AddressFamily.AF_IPv4 && family != AddressFamily.AF_IPv6) {
            return null;
        }
        // A literal, parsed without a resolver: nothing on an event loop may look up a name.
        byte[] address = NetUtil.createByteArrayFromIpAddressString(header.sourceAddress());
        if (address == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), header.sourcePort());
        } catch (UnknownHostException e) {
            return null; // only for a length other than 4 or 16, which the parse above rules out
        }
    }
}
