package dev.fulcrum.proxy;

import dev.fulcrum.proxy.ProxiedFlow.Side;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;

/**
 * Moves bytes from its channel to the flow's other channel, in both pipelines of a flow.
 *
 * <p>Buffers are passed on as read (no copy). Writes are queued during a read burst and flushed
 * once at its end ({@code channelReadComplete}), so a burst of reads becomes one {@code writev}.
 * When the peer's queue passes its high water mark, reading this side stops; it resumes when the
 * peer's queue drains under the low mark (Netty's writability), so a slow reader never makes the
 * proxy buffer more than the water marks plus one read.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {

    private final ProxiedFlow flow;
    private final Side side;

    RelayHandler(ProxiedFlow flow, Side side) {
        this.flow = flow;
        this.side = side;
    }

    ProxiedFlow flow() {
        return flow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // Added once the socket is registered with its loop, on both sides of the flow.
        EpollRegistrationRepair.install(ctx.channel());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (side == Side.CLIENT) {
            flow.start();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel peer = flow.channel(side.other());
        if (peer == null && side == Side.CLIENT) {
            flow.holdForBackend(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (peer == null || !peer.isActive() || flow.outputShut(side.other())) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf) {
            flow.relayed(side, buf.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = flow.channel(side.other());
        if (peer != null) {
            peer.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            Channel peer = flow.channel(side.other());
            if (peer != null && !flow.inputShut(side.other())) {
                peer.config().setAutoRead(true);
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            flow.inputShutdown(side);
        } else if (evt == FulcrumProxy.SHUTDOWN_EVENT) {
            flow.abort(EndReason.SHUTDOWN);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        flow.closed(side);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (isReset(cause)) {
            flow.reset(side);
        } else if (!(cause instanceof ClosedChannelException)) {
            flow.warn(side.name().toLowerCase(java.util.Locale.ROOT) + " connection failed: " + cause);
            flow.abort(EndReason.ERROR);
        }
        ctx.close();
    }

    /** ECONNRESET on read, or EPIPE on write to a peer that is gone: the other end reset. */
    static boolean isReset(Throwable cause) {
        if (!(cause instanceof IOException)) {
            return false;
        }
        String message = String.valueOf(cause.getMessage());
        return message.contains("reset") || message.contains("Broken pipe");
    }
}
