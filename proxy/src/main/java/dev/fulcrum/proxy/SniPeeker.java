package dev.fulcrum.proxy;

import dev.fulcrum.proxy.ClientHelloSni.Reason;
import dev.fulcrum.proxy.ClientHelloSni.Result;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * On a listener keyed by {@code sni}: holds the client's first bytes until the TLS ClientHello's
 * server name can be read ({@link ClientHelloSni}), hands the name to the flow as its key, then
 * passes every byte it held to the relay unchanged and leaves the pipeline. TLS is not
 * terminated: the backend sees the client's handshake as sent.
 *
 * <p>Bounded in bytes ({@link #MAX_BYTES}) and in time ({@code sniTimeout}): bytes that are not TLS,
 * a malformed or too large hello, one without a name, a client that shuts its side or stays silent
 * too long, all key the flow on the client's address instead, counted by reason in
 * {@code fulcrum_sni_fallbacks_total}. The client socket has auto-read off; this handler asks for
 * each read while it waits.
 */
final class SniPeeker extends ChannelInboundHandlerAdapter {

    /** Bytes held at most while looking for the name: a ClientHello is rarely above 2 KB. */
    static final int MAX_BYTES = 16 * 1024;

    private final ProxiedFlow flow;
    private final SniFallbacks fallbacks;
    private final long timeoutMillis;
    private CompositeByteBuf held;
    private ScheduledFuture<?> deadline;
    private boolean decided;

    SniPeeker(ProxiedFlow flow, SniFallbacks fallbacks, long timeoutMillis) {
        this.flow = flow;
        this.fallbacks = fallbacks;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        if (!ctx.channel().isActive()) {
            return;
        }
        deadline = ctx.executor().schedule(() -> decide(ctx, new Result(Reason.TIMEOUT, null)), timeoutMillis,
                TimeUnit.MILLISECONDS);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (decided || !(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = ctx.alloc().compositeBuffer(64);
        }
        held.addComponent(true, buf);
        Result result = ClientHelloSni.parse(held, MAX_BYTES);
        if (result.reason() == Reason.NEED_MORE && held.readableBytes() >= MAX_BYTES) {
            result = new Result(Reason.TOO_LARGE, null);
        }
        if (result.reason() == Reason.NEED_MORE) {
            ctx.read();
            return;
        }
        decide(ctx, result);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE && !decided) {
            decide(ctx, new Result(Reason.TRUNCATED, null));
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
        if (held != null) {
            held.release(); // the connection closed before a decision: nothing to pass on
            held = null;
        }
    }

    private void decide(ChannelHandlerContext ctx, Result result) {
        if (decided || ctx.isRemoved()) {
            return;
        }
        decided = true;
        cancelDeadline();
        if (result.reason() != Reason.FOUND) {
            fallbacks.count(result.reason());
        }
        flow.serverNameRead(result.serverName());
        ByteBuf bytes = held;
        held = null;
        ctx.pipeline().remove(this);
        if (bytes != null) {
            if (bytes.isReadable()) {
                ctx.fireChannelRead(bytes);
                ctx.fireChannelReadComplete();
            } else {
                ReferenceCountUtil.release(bytes);
            }
        }
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
