// Text of the players' page of live games (/play), in Vietnamese and English: loaded with that
// page only, so neither the contest app nor the organisers' dictionaries grow for it. `t` also
// knows every key of the main dictionary; `errorText` the refusal codes of joining and answering.
import { ApiError } from './api.ts';
import { fill, i18n, t as baseT, type MessageKey, type Params } from './i18n.svelte.ts';

const en = {
  'err.GAME_NOT_FOUND': 'No game has this PIN, or it is over. Check the PIN on the big screen.',
  'err.GAME_ENDED': 'This game is over.',
  'err.LOBBY_LOCKED': 'The host has locked the game: new players cannot join now.',
  'err.GAME_FULL': 'The game is full.',
  'err.BAD_NICKNAME': 'This nickname cannot be used: 1 to 20 characters, no special characters.',
  'err.NICKNAME_TAKEN': 'Someone in this game already has this nickname. Choose another one.',
  'err.BAD_UNIT': 'Choose one of the teams in the list.',
  'err.KICKED': 'The host removed you from this game.',
  'err.NOT_JOINED': 'You are not in the game any more. Join again.',
  'err.NOT_OPEN': 'The answers are not open yet.',
  'err.TIME_UP': 'Too late: the time for this question is up.',
  'err.ALREADY_ANSWERED': 'You have already answered this question.',
  'err.BAD_OPTION': 'This answer was not accepted. Choose again.',
  'err.ALREADY_JOINED': 'This phone is already in the game.',
  'err.BAD_FRAME': 'The app sent something the server did not understand. Reload the page.',

  'play.title': 'Join a game',
  'play.intro': 'Enter the PIN shown on the big screen.',
  'play.pin': 'Game PIN',
  'play.pinHint': '6 digits',
  'play.pinInvalid': 'Enter the 6 digits of the PIN.',
  'play.enter': 'Enter',
  'play.checking': 'Checking…',
  'play.gameTitle': 'Game',
  'play.nickname': 'Nickname',
  'play.nicknameHint': '1 to 20 characters, shown on the big screen.',
  'play.nicknameEmpty': 'Choose a nickname.',
  'play.nicknameLong': 'At most 20 characters.',
  'play.nicknameBad': 'The nickname has characters that cannot be used.',
  'play.unit': 'Your team',
  'play.unitChoose': 'Choose your team…',
  'play.unitRequired': 'Choose your team.',
  'play.join': 'Join',
  'play.joining': 'Joining…',
  'play.otherPin': 'Another PIN',
  'play.rejoining': 'Rejoining the game as {name}…',
  'play.notMe': 'Not {name}? Join with another nickname',

  'play.in': 'You’re in!',
  'play.inText': 'See your nickname on the big screen? The game starts soon.',
  'play.you': 'You',
  'play.team': 'Team: {unit}',
  'play.score': 'Score',
  'play.scoreValue': '{n} points',

  'play.questionOf': 'Question {n} of {total}',
  'play.getReady': 'Get ready…',
  'play.readingText': 'Read the question: the answers open in a moment.',
  'play.secondsLeft': '{n} seconds left',
  'play.chooseOne': 'Tap your answer.',
  'play.chooseMany': 'Choose every right answer, then send.',
  'play.send': 'Send answer',
  'play.option': 'Answer {letter}: {text}',
  'play.sending': 'Sending your answer…',
  'play.sendingOffline': 'Your answer will be sent as soon as the connection is back.',
  'play.saved': 'Answer saved',
  'play.savedText': 'Waiting for the others and for the answer on the big screen.',
  'play.timeUp': 'Time’s up',
  'play.timeUpText': 'Waiting for the answer on the big screen.',

  'play.right': 'Right!',
  'play.wrong': 'Not right',
  'play.noAnswer': 'No answer',
  'play.points': '+{n} points',
  'play.streak': '{n} right in a row',
  'play.total': 'Total score',
  'play.rank': 'Rank',
  'play.rankOf': '{rank} of {n}',
  'play.rightWas': 'The right answer:',
  'play.rightWere': 'The right answers:',
  'play.nextSoon': 'The next question is coming…',
  'play.lastDone': 'That was the last question. The podium is coming…',
  'play.skipped': 'Question skipped',
  'play.skippedText': 'The host skipped this question: it counts for nobody.',

  'play.ended': 'Game over',
  'play.finalRank': 'Your final rank',
  'play.podium': 'Podium',
  'play.place': 'Place {n}',
  'play.kicked': 'You have left the game',
  'play.kickedText': 'The host removed you from this game.',
  'play.gone': 'This game is over',
  'play.goneText': 'The game ended while you were away.',
  'play.another': 'Join another game',

  'conn.connecting': 'Connecting…',
  'conn.open': 'Connected',
  'conn.reconnecting': 'Connection lost. Reconnecting…',
  'conn.offline': 'No network. Your place is kept: the game comes back when the network does.',
} as const;

export type PlayKey = keyof typeof en;

const vi: Record<PlayKey, string> = {
  'err.GAME_NOT_FOUND':
    'Không có trò chơi nào mang mã PIN này, hoặc trò chơi đã kết thúc. Hãy xem lại mã PIN trên màn hình lớn.',
  'err.GAME_ENDED': 'Trò chơi này đã kết thúc.',
  'err.LOBBY_LOCKED': 'Người dẫn đã khoá phòng: hiện không nhận thêm người chơi.',
  'err.GAME_FULL': 'Trò chơi đã đủ người.',
  'err.BAD_NICKNAME': 'Không dùng được biệt danh này: từ 1 đến 20 ký tự, không có ký tự đặc biệt.',
  'err.NICKNAME_TAKEN': 'Đã có người trong trò chơi dùng biệt danh này. Hãy chọn biệt danh khác.',
  'err.BAD_UNIT': 'Hãy chọn một đội trong danh sách.',
  'err.KICKED': 'Người dẫn đã mời bạn ra khỏi trò chơi này.',
  'err.NOT_JOINED': 'Bạn không còn ở trong trò chơi. Hãy vào lại.',
  'err.NOT_OPEN': 'Chưa đến lúc trả lời.',
  'err.TIME_UP': 'Đã quá giờ trả lời câu này.',
  'err.ALREADY_ANSWERED': 'Bạn đã trả lời câu này rồi.',
  'err.BAD_OPTION': 'Đáp án không hợp lệ. Hãy chọn lại.',
  'err.ALREADY_JOINED': 'Điện thoại này đã ở trong trò chơi.',
  'err.BAD_FRAME': 'Ứng dụng gửi dữ liệu mà máy chủ không hiểu. Hãy tải lại trang.',

  'play.title': 'Vào trò chơi',
  'play.intro': 'Nhập mã PIN hiện trên màn hình lớn.',
  'play.pin': 'Mã PIN',
  'play.pinHint': 'Gồm 6 chữ số',
  'play.pinInvalid': 'Hãy nhập đủ 6 chữ số của mã PIN.',
  'play.enter': 'Vào',
  'play.checking': 'Đang kiểm tra…',
  'play.gameTitle': 'Trò chơi',
  'play.nickname': 'Biệt danh',
  'play.nicknameHint': 'Từ 1 đến 20 ký tự, sẽ hiện trên màn hình lớn.',
  'play.nicknameEmpty': 'Hãy chọn một biệt danh.',
  'play.nicknameLong': 'Tối đa 20 ký tự.',
  'play.nicknameBad': 'Biệt danh có ký tự không dùng được.',
  'play.unit': 'Đội của bạn',
  'play.unitChoose': 'Chọn đội của bạn…',
  'play.unitRequired': 'Hãy chọn đội của bạn.',
  'play.join': 'Tham gia',
  'play.joining': 'Đang vào…',
  'play.otherPin': 'Nhập mã PIN khác',
  'play.rejoining': 'Đang vào lại trò chơi với biệt danh {name}…',
  'play.notMe': 'Không phải {name}? Vào với biệt danh khác',

  'play.in': 'Bạn đã vào!',
  'play.inText': 'Bạn có thấy biệt danh của mình trên màn hình lớn không? Trò chơi sắp bắt đầu.',
  'play.you': 'Bạn',
  'play.team': 'Đội: {unit}',
  'play.score': 'Điểm',
  'play.scoreValue': '{n} điểm',

  'play.questionOf': 'Câu {n}/{total}',
  'play.getReady': 'Chuẩn bị…',
  'play.readingText': 'Hãy đọc câu hỏi: các đáp án sẽ mở ngay sau đây.',
  'play.secondsLeft': 'Còn {n} giây',
  'play.chooseOne': 'Chạm vào đáp án của bạn.',
  'play.chooseMany': 'Chọn tất cả đáp án đúng rồi bấm gửi.',
  'play.send': 'Gửi đáp án',
  'play.option': 'Đáp án {letter}: {text}',
  'play.sending': 'Đang gửi đáp án…',
  'play.sendingOffline': 'Đáp án sẽ được gửi ngay khi có kết nối trở lại.',
  'play.saved': 'Đã ghi nhận đáp án',
  'play.savedText': 'Chờ mọi người trả lời và xem đáp án trên màn hình lớn.',
  'play.timeUp': 'Hết giờ',
  'play.timeUpText': 'Chờ xem đáp án trên màn hình lớn.',

  'play.right': 'Chính xác!',
  'play.wrong': 'Chưa đúng',
  'play.noAnswer': 'Không trả lời',
  'play.points': '+{n} điểm',
  'play.streak': 'Đúng {n} câu liên tiếp',
  'play.total': 'Tổng điểm',
  'play.rank': 'Thứ hạng',
  'play.rankOf': '{rank}/{n}',
  'play.rightWas': 'Đáp án đúng:',
  'play.rightWere': 'Các đáp án đúng:',
  'play.nextSoon': 'Câu tiếp theo sắp bắt đầu…',
  'play.lastDone': 'Đó là câu cuối cùng. Sắp công bố bục vinh quang…',
  'play.skipped': 'Câu hỏi đã bị bỏ qua',
  'play.skippedText': 'Người dẫn đã bỏ qua câu này: không ai được tính điểm.',

  'play.ended': 'Trò chơi kết thúc',
  'play.finalRank': 'Thứ hạng chung cuộc của bạn',
  'play.podium': 'Bục vinh quang',
  'play.place': 'Hạng {n}',
  'play.kicked': 'Bạn đã rời trò chơi',
  'play.kickedText': 'Người dẫn đã mời bạn ra khỏi trò chơi này.',
  'play.gone': 'Trò chơi này đã kết thúc',
  'play.goneText': 'Trò chơi đã kết thúc trong lúc bạn mất kết nối.',
  'play.another': 'Vào trò chơi khác',

  'conn.connecting': 'Đang kết nối…',
  'conn.open': 'Đã kết nối',
  'conn.reconnecting': 'Mất kết nối. Đang kết nối lại…',
  'conn.offline': 'Không có mạng. Chỗ của bạn vẫn được giữ: trò chơi sẽ tiếp tục khi có mạng trở lại.',
};

const isPlayKey = (key: string): key is PlayKey => key in en;

/** Translates a key of this dictionary or of the main one (reactive: it reads the language). */
export const t = (key: PlayKey | MessageKey, params?: Params): string =>
  isPlayKey(key) ? fill((i18n.lang === 'vi' ? vi : en)[key] ?? en[key], params) : baseT(key, params);

/** A refusal's text by its code (a WebSocket error frame or an ApiError), else the server's words. */
export const errorText = (err: unknown): string => {
  const code =
    err instanceof ApiError
      ? err.code
      : typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
        ? (err as { code: string }).code
        : '';
  const key = `err.${code}`;
  if (isPlayKey(key)) return t(key);
  if (err instanceof ApiError) return i18n.error(err);
  const message =
    typeof err === 'object' && err !== null ? (err as { message?: unknown }).message : undefined;
  return typeof message === 'string' && message ? message : code || String(err);
};
