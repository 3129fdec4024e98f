package dev.fulcrum.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.WriteBufferWaterMark;
import java.net.InetSocketAddress;

/**
 * Opens a listener's backend connections. Built once per listener (and per reload), it does per
 * connect only what a connect needs: no {@code Bootstrap} clone (a copy of its option and attribute
 * maps each time), no option map walked per channel, and no resolver: pool addresses are resolved
 * when the configuration is loaded, and {@code Bootstrap} still took its resolver group's lock per
 * connect to find that out.
 */
final class BackendConnector {

    private final ChannelFactory<? extends Channel> channels;
    private final int connectTimeoutMillis;
    private final WriteBufferWaterMark waterMark;

    BackendConnector(Class<? extends Channel> channelType, int connectTimeoutMillis, WriteBufferWaterMark waterMark) {
        this.channels = new ReflectiveChannelFactory<>(channelType);
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.waterMark = waterMark;
    }

    /**
     * Creates a backend socket with {@code handler}, registers it on {@code loop} (the client's, so
     * both sockets of a flow share one thread) and connects it to {@code address}, which must be
     * resolved. Call on {@code loop}.
     *
     * @throws io.netty.channel.ChannelException when the socket cannot even be created (no file
     *     descriptor left)
     */
    ChannelFuture connect(EventLoop loop, InetSocketAddress address, ChannelHandler handler) {
        Channel channel = channels.newChannel();
        ChannelConfig config = channel.config();
        // Not read until the flow has set up both sides; TCP_NODELAY is Netty's default already.
        config.setAutoRead(false);
        config.setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        config.setConnectTimeoutMillis(connectTimeoutMillis);
        config.setWriteBufferWaterMark(waterMark);
        channel.pipeline().addLast(handler);
        ChannelPromise connected = channel.newPromise();
        loop.register(channel).addListener((ChannelFutureListener) registered -> {
            if (registered.isSuccess()) {
                // A socket whose connect failed is closed (as Bootstrap does): its fd and registration go.
                channel.connect(address, connected).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            } else {
                if (channel.isRegistered()) {
                    channel.close();
                } else {
                    channel.unsafe().closeForcibly();
                }
                connected.setFailure(registered.cause());
            }
        });
        return connected;
    }
}
