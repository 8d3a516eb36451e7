/**
 * The little the adapter remembers about Discord: guild names and, per channel, its name, type and
 * parent (enough to label an inbound message and to know that a channel is a thread). Filled from
 * GUILD_CREATE and channel/thread events, topped up by one REST lookup on a miss, and capped so a bot
 * in many large guilds cannot grow it without bound.
 */

export interface ChannelInfo {
  id: string;
  /** Discord channel type (0 text, 1 DM, 3 group DM, 5 announcement, 10/11/12 threads, 15 forum, ...). */
  type: number;
  name?: string;
  parentId?: string;
  guildId?: string;
}

/** The channel fields we read, from a gateway event or GET /channels/{id}. */
export interface RawChannel {
  id: string;
  type: number;
  name?: string | null;
  parent_id?: string | null;
  guild_id?: string;
}

export const THREAD_TYPES: ReadonlySet<number> = new Set([10, 11, 12]);
const CATEGORY = 4;

export class DiscordCache {
  private readonly guilds = new Map<string, string>();
  private readonly channels = new Map<string, ChannelInfo>();

  constructor(private readonly maxChannels = 5000) {}

  guildName(id: string | undefined): string | undefined {
    return id ? this.guilds.get(id) : undefined;
  }

  setGuild(g: { id: string; name?: string; channels?: RawChannel[]; threads?: RawChannel[] }): void {
    if (g.name) this.guilds.set(g.id, g.name);
    for (const ch of g.channels ?? []) this.setChannel(ch, g.id);
    for (const ch of g.threads ?? []) this.setChannel(ch, g.id);
  }

  deleteGuild(id: string): void {
    this.guilds.delete(id);
    for (const [cid, ch] of this.channels) if (ch.guildId === id) this.channels.delete(cid);
  }

  channel(id: string): ChannelInfo | undefined {
    return this.channels.get(id);
  }

  /** Remembers a channel object (from an event or GET /channels/{id}); categories are skipped. */
  setChannel(ch: RawChannel, guildId?: string): ChannelInfo | undefined {
    if (ch.type === CATEGORY) return undefined;
    const info: ChannelInfo = { id: ch.id, type: ch.type };
    if (ch.name) info.name = ch.name;
    if (ch.parent_id) info.parentId = ch.parent_id;
    const gid = ch.guild_id ?? guildId;
    if (gid) info.guildId = gid;
    this.remember(info);
    return info;
  }

  remember(info: ChannelInfo): void {
    this.channels.delete(info.id);
    if (this.channels.size >= this.maxChannels) {
      const oldest = this.channels.keys().next().value;
      if (oldest !== undefined) this.channels.delete(oldest);
    }
    this.channels.set(info.id, info);
  }

  deleteChannel(id: string): void {
    this.channels.delete(id);
  }

  clear(): void {
    this.guilds.clear();
    this.channels.clear();
  }
}
