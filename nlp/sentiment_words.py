"""The sentiment lexicon's words: our own lists, written for reviews of goods and services and for
the complaint and thanks language of petitions.

Kept apart from the scoring logic (``nlp.sentiment_lexicon``) so the lists can grow without the
logic moving. Words are general opinion language, not the vocabulary of one product: 新鲜 and 好吃
fit any food, 卡顿 any device, 态度差 any service, so the lexicon carries polarity into review
domains the trained model never saw. ``NEUTRAL`` holds phrases that contain an opinion word but
carry none (差不多, 好几次): they are matched first and count for nothing.
"""

from __future__ import annotations

# positive opinion words: quality, taste, looks, comfort, speed, service, value, intention
POSITIVE = tuple("""
满意 很满意 非常满意 挺满意 比较满意 十分满意 满意的 喜欢 很喜欢 非常喜欢 超喜欢 喜爱 爱了 爱不释手 不错 挺不错 很不错
蛮不错 还不错 很好 挺好 非常好 真好 特别好 超好 极好 太好了 蛮好 还好 好用 好吃 好喝 好看 好闻 好评 五星 满分 给力
赞 点赞 超赞 棒 很棒 真棒 好棒 完美 优秀 出色 精彩 精致 精美 漂亮 美观 大方 大气 上档次 高档 时尚 洋气 有型 显瘦
舒服 舒适 舒心 柔软 柔顺 顺滑 细腻 合身 合适 合脚 贴身 透气 清爽 滋润 保湿 水润 温和 不刺激 清香 香甜 甘甜 清甜 甜
脆甜 香脆 清脆 可口 爽口 美味 鲜美 新鲜 很新鲜 饱满 多汁 个大 纯正 浓郁 醇厚 香浓 正宗 地道 实惠 划算 便宜 价廉 物美价廉
性价比高 性价比很高 超值 物超所值 值得 值 值了 值得购买 值得推荐 推荐 强烈推荐 力荐 正品 正版 货真价实 质量好 质量不错
做工好 做工精细 做工不错 结实 牢固 耐用 稳定 流畅 顺畅 清晰 灵敏 强大 省电 静音 安静 快 很快 挺快 超快 神速 迅速 及时 准时
快捷 便捷 方便 实用 简单易用 上手快 到位 完好 完好无损 齐全 干净 整洁 卫生 宽敞 明亮 温馨 豪华 舒适度高 热情 耐心 周到
贴心 细心 用心 专业 负责 认真 尽职 高效 友好 客气 礼貌 和蔼 亲切 靠谱 放心 安心 信赖 信任 支持 感谢 谢谢 多谢 感激 感动
辛苦了 表扬 开心 高兴 愉快 惊喜 享受 幸福 回购 还会再来 会再来 还会再买 会再买 再次购买 继续购买 一直在用 一如既往
受益匪浅 受益 引人入胜 经典 感人 有趣 有意思 值得一看 值得一读 推荐阅读 通俗易懂 深入浅出 生动 实在 诚信 好人 大赞
还行 还可以 挺可以 蛮可以 物有所值 快乐 没问题 没有问题 没什么问题 没有任何问题 已解决 解决了 得到解决 妥善解决 处理及时 很及时 很热情 很耐心 很负责 很专业 很周到 效果好 效果明显 有效 见效 好喝的
""".split())

# negative opinion words: defects, taste, delays, bad service, regret, anger, fraud
NEGATIVE = tuple("""
差 很差 太差 极差 超差 真差 差劲 差评 质量差 质量太差 做工差 态度差 服务差 垃圾 太垃圾 失望 很失望 太失望 非常失望 后悔
上当 受骗 被骗 骗人 骗子 忽悠 欺骗 虚假 假货 假的 仿冒 山寨 次品 劣质 残次 伪劣 坑 坑人 坑爹 黑心 无良 奸商 不良
坏 坏了 坏的 损坏 坏掉 烂 烂了 腐烂 发霉 霉 变质 过期 馊 臭 发臭 异味 怪味 难闻 刺鼻 难吃 难喝 难看 难用 恶心 苦涩 酸涩
不好 不行 不能用 用不了 没法用 无法使用 不值 不值得 太贵 贵了 偏贵 死贵 浪费 白买 别买 千万别买 不推荐 不建议 再也不
再也不会 不会再 最后一次 退货 退款 退了 换货 投诉 举报 维权 拒收 慢 太慢 很慢 超慢 龟速 迟迟 拖延 拖拉 拖了 等了很久 迟到
破损 破了 碎了 裂了 压坏 漏水 漏液 漏气 磨损 划痕 掉色 褪色 起球 开线 脱线 缩水 变形 线头 色差 偏小 偏大 不合身
卡顿 很卡 死机 闪退 重启 发热 发烫 耗电 费电 噪音 很吵 太吵 吵 吵闹 嘈杂 脏 脏乱 很脏 太脏 霉味 潮湿 狭小 简陋
陈旧 老旧 破旧 掉渣 干涩 头皮屑 过敏 瘙痒 刺激 瑕疵 故障 毛病 缺陷 有问题 出问题 质量问题 问题很多 麻烦 折腾 糟糕
郁闷 生气 气愤 愤怒 无语 崩溃 抓狂 心寒 寒心 无奈 难受 烦 烦人 不爽 不靠谱 不专业 不负责 敷衍 推诿 冷漠 冷淡 爱理不理
不理 没人理 不搭理 刁难 恶劣 态度恶劣 粗暴 蛮横 缺斤少两 少发 漏发 发错 错发 不符 不一致 不一样 与描述不符 名不副实
粗糙 廉价 寒酸 小气 抠门 乏味 无聊 枯燥 空洞 看不下去 废话 错字 盗版 误导 不实 可怕 危险 凑合 将就 划不来 不划算 不咋地 不怎么样 呵呵 隐患 担心 担忧 焦虑 抵制
倒闭 黑店 宰客 乱收费 霸王条款 拖欠 欠薪 不满 不满意 很不满意 非常不满意 不作为 乱作为 踢皮球 置之不理 石沉大海 投诉无门
没人管 无人管 一直没人管 不管不问 无人问津 没有解决 没解决 未解决 未得到解决 得不到解决 仍未解决 至今没有 至今未 多次反映
堵塞 反复投诉 屡次投诉 不负责任 不合理 不公平 不公 扰民 严重影响 苦不堪言 忍无可忍 无法忍受 一塌糊涂 一般般 很一般 太一般
""".split())

# phrases that contain an opinion word but say nothing: matched first, counted as nothing
NEUTRAL = tuple("""
差不多 差点 相差 差价 差距 出差 好几 好多年 好久 好像 好不容易 只好 正好 刚好 好在 还好意思 快递 快点 快要 尽快 赶快
慢慢 坏账 烂尾 值班 产值 数值 价值 不管怎样 不得不说 毛病不大 问题不大 不是问题 不差钱 不好意思 好意思
""".split())

# words that turn the opinion word right after them around (不好 is listed whole; 不太新鲜 is composed)
NEGATORS = tuple("""
不 不是 没 没有 无 未 别 非 毫无 并不 并没有 从不 从没 从未 尚未 仍未 还没 还没有 不太 不是很 不怎么 不算 不够 没那么 没有那么
一点也不 一点都不 一点儿也不 也不 都不 并非 绝不 决不 不再
""".split())

# words that strengthen (×1.5) or soften (×0.6) the opinion word after them
INTENSIFIERS = tuple("""
很 非常 太 超 超级 特别 十分 极 极其 相当 真 真的 实在 巨 最 更 格外 尤其 贼 好好 特 绝对 严重 完全 太过 极度
""".split())
DIMINISHERS = tuple("""
有点 有点儿 有些 稍微 稍 略 略微 比较 还算 还 算是 一点 些许 勉强
""".split())

# a clause opened by these says what the writer finally thinks (它好看，但是质量差 is negative)
CONTRAST = tuple("""
但是 但 可是 不过 然而 可惜 只是 就是 却 偏偏 遗憾的是 唯一不足 美中不足
""".split())
