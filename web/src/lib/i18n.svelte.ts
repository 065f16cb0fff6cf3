// All user-facing text, in Vietnamese (default) and English. The English dictionary defines the
// keys; the Vietnamese one must have exactly the same keys (checked by the type). The accessible
// names that end-to-end tests rely on (Email, Password, Name, Sign in, Create account, Start,
// Resume, Submit, Confirm submit, Leaderboard) live here in both languages; tests that run in
// either language use the controls' data-testid instead. The text of the pages loaded on demand
// (judges' pages, public results) lives in i18n-judging.ts, so that participants never load it.
import { ApiError } from './api.ts';

export type Lang = 'vi' | 'en';
const STORAGE_KEY = 'qa.lang';

const en = {
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.retry': 'Try again',
  'app.footer': 'Quizarena · open-source platform for online quiz contests',
  'lang.switchTo': 'Switch language to',
  'nav.account': 'Account',

  'auth.signIn': 'Sign in',
  'auth.signUp': 'Sign up',
  'auth.signOut': 'Sign out',
  'auth.signedInAs': 'Signed in as',

  'login.title': 'Sign in',
  'login.email': 'Email',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.busy': 'Signing in…',
  'login.noAccount': 'No account yet?',
  'login.toRegister': 'Create one',
  'login.needed': 'Please sign in to continue.',

  'register.title': 'Create an account',
  'register.name': 'Name',
  'register.nameHint': 'Your full name, as it should appear on leaderboards.',
  'register.email': 'Email',
  'register.password': 'Password',
  'register.passwordHint': 'At least 8 characters.',
  'register.submit': 'Create account',
  'register.busy': 'Creating account…',
  'register.haveAccount': 'Already have an account?',
  'register.toLogin': 'Sign in',

  'v.required': 'Please fill in this field.',
  'v.choose': 'Please choose one.',
  'v.email': 'Enter a valid email address.',
  'v.passwordLength': 'The password must be 8 to 200 characters long.',
  'v.phone': 'Enter a valid phone number (digits, may start with +).',
  'v.date': 'Enter a valid date.',
  'v.fix': 'Please correct the fields marked below.',

  'home.title': 'Contests',
  'home.intro': 'Online quiz contests with timed rounds, fair rankings and prizes.',
  'home.empty': 'There are no contests yet.',
  'home.rounds': 'Rounds: {n}',

  'status.draft': 'Draft',
  'status.published': 'Taking part',
  'status.closed': 'Ended',

  'contest.rules': 'Rules',
  'contest.rounds': 'Rounds',
  'contest.noRounds': 'No rounds have been scheduled yet.',
  'contest.entered': 'You are registered for this contest.',
  'contest.enteredAs': 'Registered as {name}',
  'contest.editEntry': 'View or edit registration',
  'contest.notEntered': 'Register for the contest before taking a round.',
  'contest.register': 'Register to take part',
  'contest.signInFirst': 'Sign in or create an account to take part.',
  'contest.timesIn': 'All times are in {zone}.',
  'contest.all': 'All contests',

  'round.open': 'Open',
  'round.upcoming': 'Upcoming',
  'round.closed': 'Closed',
  'round.opensAt': 'Opens',
  'round.closesAt': 'Closes',
  'round.opensIn': 'Opens in',
  'round.closesIn': 'Closes in',
  'round.questions': 'Questions',
  'round.timeLimit': 'Time limit',
  'round.minutes': '{n} min',
  'round.attempts': 'Attempts',
  'round.attemptsValue': '{used} used, {left} left',
  'round.attemptsAllowed': '{n} allowed',
  'round.best': 'Best result',
  'round.bestValue': '{score}/{max} points · {correct} correct · {time}',
  'round.start': 'Start',
  'round.starting': 'Starting…',
  'round.resume': 'Resume',
  'round.leaderboard': 'Leaderboard',
  'round.noAttemptsLeft': 'You have used all your attempts in this round.',
  'round.startHint': 'The timer starts as soon as you press Start.',
  'round.result': 'See result',
  'countdown.days': '{days} d {clock}',

  'err.NETWORK': 'Could not reach the server. Check your connection and try again.',
  'err.UNAUTHENTICATED': 'Please sign in again.',
  'err.BAD_CREDENTIALS': 'Wrong email or password.',
  'err.NOT_ENTERED': 'Register for the contest first.',
  'err.ROUND_NOT_OPEN': 'This round is not open.',
  'err.ATTEMPT_LIMIT': 'You have no attempts left in this round.',
  'err.ATTEMPT_CLOSED': 'This attempt is closed.',
  'err.DRAW_UNSATISFIABLE': 'This round cannot be started at the moment. Please let the organisers know.',
  'err.PREDICTION_REQUIRED': 'Please answer the prediction question before submitting.',
  'err.LEADERBOARD_HIDDEN': 'The leaderboard of this round is not public.',
  'err.CSRF': 'The request was refused for security reasons. Reload the page and try again.',
  'err.HTTP_404': 'Not found.',
  'err.HTTP_429': 'Too many requests. Please wait a moment and try again.',
  'err.server': 'The server had a problem. Please try again in a moment.',

  'entry.title': 'Registration',
  'entry.intro': 'Fill in this form once for the contest. Fields marked * are required.',
  'entry.save': 'Save registration',
  'entry.busy': 'Saving…',
  'entry.saved': 'Your registration has been saved.',
  'entry.choose': 'Choose…',
  'entry.field.fullName': 'Full name',
  'entry.field.dateOfBirth': 'Date of birth',
  'entry.field.phone': 'Phone number',
  'entry.field.idNumber': 'ID number',
  'entry.field.unit': 'Unit',
  'entry.field.locality': 'Locality',
  'entry.field.group': 'Group',
  'entry.requiredMark': 'required',

  'attempt.title': 'Attempt',
  'attempt.questionOf': 'Question {n} of {total}',
  'attempt.timeLeft': 'Time left',
  'attempt.progress': 'Answered {n} of {total}',
  'attempt.navigator': 'Questions',
  'attempt.navAnswered': 'Question {n}, answered',
  'attempt.navUnanswered': 'Question {n}, not answered',
  'attempt.legendCurrent': 'Current',
  'attempt.legendAnswered': 'Answered',
  'attempt.legendUnanswered': 'Not answered',
  'attempt.prev': 'Previous',
  'attempt.next': 'Next',
  'attempt.chooseOne': 'Choose one answer.',
  'attempt.chooseMany': 'Choose every correct answer.',
  'attempt.points': '{n} pts',
  'attempt.saving': 'Saving…',
  'attempt.saved': 'Saved ✓',
  'attempt.failed': 'Not saved',
  'attempt.queued': 'Waiting for the connection',
  'attempt.retry': 'Retry',
  'attempt.unanswered': 'Not answered yet',
  'attempt.offline': 'Offline — your answers will be sent when the connection is back.',
  'attempt.unsent': 'Answers waiting to be sent: {n}',
  'attempt.cached': 'Showing the copy saved on this device while reconnecting.',
  'attempt.finish': 'Finish',
  'attempt.submit': 'Submit',
  'attempt.submitHint': 'You can change your answers until you submit or the time runs out.',
  'attempt.confirmTitle': 'Submit your answers?',
  'attempt.confirmAll': 'You have answered every question.',
  'attempt.confirmUnanswered': 'Not answered yet: question {list}.',
  'attempt.confirmFinal': 'Once submitted, your answers cannot be changed.',
  'attempt.confirmUnsent': 'Some answers have not reached the server yet; they will be sent first.',
  'attempt.confirm': 'Confirm submit',
  'attempt.cancel': 'Keep answering',
  'attempt.submitting': 'Submitting…',
  'attempt.timeUp': 'Time is up. Submitting your answers…',
  'attempt.minutesLeft': '{n} minutes left',
  'attempt.oneMinuteLeft': '1 minute left',
  'attempt.submitFailed': 'Could not submit: {message}',
  'attempt.closed': 'This attempt is closed.',
  'attempt.toResult': 'See result',

  'prediction.title': 'Prediction question',
  'prediction.hintCount': 'A whole number, 0 or more.',
  'prediction.hintPercent': 'A percentage from 0 to 100, with up to 5 decimal places.',
  'prediction.why': 'Used to break ties in the final ranking.',
  'prediction.empty': 'Please enter your prediction.',
  'prediction.integer': 'Enter a whole number (0, 1, 2, …).',
  'prediction.percentRange': 'Enter a number from 0 to 100.',
  'prediction.decimals': 'Use at most 5 decimal places.',
  'prediction.number': 'Enter a number, for example 12.5.',

  'result.title': 'Your result',
  'result.score': 'Score',
  'result.correct': 'Correct answers',
  'result.duration': 'Time',
  'result.rank': 'Rank',
  'result.rankValue': '{rank} of {total}',
  'result.rankNote': 'The leaderboard counts your best attempt.',
  'result.submittedAt': 'Submitted',
  'result.prediction': 'Your prediction',
  'result.expired': 'Time ran out; the answers you had saved were counted.',
  'result.voided': 'This attempt has been voided by the judges.',
  'result.finalising': 'Your attempt is being finalised…',
  'result.review': 'Review',
  'result.yourAnswer': 'your answer',
  'result.correctAnswer': 'correct answer',
  'result.right': 'Correct',
  'result.wrong': 'Incorrect',
  'result.noAnswer': 'No answer given.',
  'result.explanation': 'Explanation',
  'result.answersLater': 'Correct answers will be shown after the round closes.',
  'result.answersNever': 'Correct answers are not published for this round.',
  'result.backToContest': 'Back to the contest',

  'lb.title': 'Leaderboard',
  'lb.rank': 'Rank',
  'lb.name': 'Name',
  'lb.unit': 'Unit',
  'lb.score': 'Score',
  'lb.time': 'Time',
  'lb.you': 'You',
  'lb.yourRank': 'Your rank',
  'lb.total': 'Participants: {n}',
  'lb.empty': 'No results yet.',
  'lb.hidden': 'The leaderboard of this round is not public yet. Please check again later.',
  'lb.live': 'Live',
  'lb.connecting': 'Connecting…',
  'lb.reconnecting': 'Reconnecting…',
  'lb.group': 'Group',
  'lb.allGroups': 'All groups',
  'lb.rules': 'While the round is open: higher score first, then shorter time.',
  'lb.notRanked': 'You are not on this leaderboard yet.',
  'lb.caption': 'Top {n} of the round',

  'nf.title': 'Page not found',
  'nf.text': 'The address may be mistyped, or the page has moved.',
  'nf.home': 'Go to the contest list',

  'nav.main': 'Main',
  'nav.judging': 'Judging',
  'nav.organise': 'Organise',
  'organise.forbiddenTitle': 'For organisers only',
  'organise.forbiddenText': 'This page is for contest organisers and administrators.',
  'round.finalResults': 'Final results',
  'judge.forbiddenTitle': 'For judges only',
  'judge.forbiddenText': 'This page is for the judging panel and administrators.',
} as const;

export type MessageKey = keyof typeof en;

const vi: Record<MessageKey, string> = {
  'app.skip': 'Bỏ qua, đến nội dung chính',
  'app.loading': 'Đang tải…',
  'app.retry': 'Thử lại',
  'app.footer': 'Quizarena · nền tảng mã nguồn mở cho các cuộc thi trắc nghiệm trực tuyến',
  'lang.switchTo': 'Chuyển ngôn ngữ sang',
  'nav.account': 'Tài khoản',

  'auth.signIn': 'Đăng nhập',
  'auth.signUp': 'Đăng ký',
  'auth.signOut': 'Đăng xuất',
  'auth.signedInAs': 'Đang đăng nhập:',

  'login.title': 'Đăng nhập',
  'login.email': 'Email',
  'login.password': 'Mật khẩu',
  'login.submit': 'Đăng nhập',
  'login.busy': 'Đang đăng nhập…',
  'login.noAccount': 'Chưa có tài khoản?',
  'login.toRegister': 'Tạo tài khoản mới',
  'login.needed': 'Vui lòng đăng nhập để tiếp tục.',

  'register.title': 'Tạo tài khoản',
  'register.name': 'Họ và tên',
  'register.nameHint': 'Họ tên đầy đủ, sẽ hiển thị trên bảng xếp hạng.',
  'register.email': 'Email',
  'register.password': 'Mật khẩu',
  'register.passwordHint': 'Ít nhất 8 ký tự.',
  'register.submit': 'Tạo tài khoản',
  'register.busy': 'Đang tạo tài khoản…',
  'register.haveAccount': 'Đã có tài khoản?',
  'register.toLogin': 'Đăng nhập',

  'v.required': 'Vui lòng điền thông tin này.',
  'v.choose': 'Vui lòng chọn một mục.',
  'v.email': 'Nhập địa chỉ email hợp lệ.',
  'v.passwordLength': 'Mật khẩu phải dài từ 8 đến 200 ký tự.',
  'v.phone': 'Nhập số điện thoại hợp lệ (chữ số, có thể bắt đầu bằng +).',
  'v.date': 'Nhập ngày hợp lệ.',
  'v.fix': 'Vui lòng sửa các mục được đánh dấu bên dưới.',

  'home.title': 'Các cuộc thi',
  'home.intro':
    'Cuộc thi trắc nghiệm trực tuyến theo từng tuần, tính giờ, xếp hạng minh bạch, có giải thưởng.',
  'home.empty': 'Chưa có cuộc thi nào.',
  'home.rounds': 'Số tuần thi: {n}',

  'status.draft': 'Bản nháp',
  'status.published': 'Đang diễn ra',
  'status.closed': 'Đã kết thúc',

  'contest.rules': 'Thể lệ',
  'contest.rounds': 'Các tuần thi',
  'contest.noRounds': 'Chưa có tuần thi nào được lên lịch.',
  'contest.entered': 'Bạn đã đăng ký dự thi.',
  'contest.enteredAs': 'Đăng ký với tên {name}',
  'contest.editEntry': 'Xem hoặc sửa thông tin đăng ký',
  'contest.notEntered': 'Bạn cần đăng ký dự thi trước khi làm bài.',
  'contest.register': 'Đăng ký dự thi',
  'contest.signInFirst': 'Đăng nhập hoặc tạo tài khoản để dự thi.',
  'contest.timesIn': 'Thời gian tính theo {zone}.',
  'contest.all': 'Tất cả cuộc thi',

  'round.open': 'Đang mở',
  'round.upcoming': 'Sắp mở',
  'round.closed': 'Đã đóng',
  'round.opensAt': 'Mở lúc',
  'round.closesAt': 'Đóng lúc',
  'round.opensIn': 'Mở sau',
  'round.closesIn': 'Còn lại',
  'round.questions': 'Số câu hỏi',
  'round.timeLimit': 'Thời gian làm bài',
  'round.minutes': '{n} phút',
  'round.attempts': 'Lượt thi',
  'round.attemptsValue': 'đã dùng {used}, còn {left}',
  'round.attemptsAllowed': 'tối đa {n}',
  'round.best': 'Kết quả tốt nhất',
  'round.bestValue': '{score}/{max} điểm · {correct} câu đúng · {time}',
  'round.start': 'Bắt đầu',
  'round.starting': 'Đang bắt đầu…',
  'round.resume': 'Làm tiếp',
  'round.leaderboard': 'Bảng xếp hạng',
  'round.noAttemptsLeft': 'Bạn đã dùng hết lượt thi của tuần này.',
  'round.startHint': 'Đồng hồ bắt đầu tính giờ ngay khi bạn bấm Bắt đầu.',
  'round.result': 'Xem kết quả',
  'countdown.days': '{days} ngày {clock}',

  'err.NETWORK': 'Không kết nối được máy chủ. Hãy kiểm tra kết nối mạng và thử lại.',
  'err.UNAUTHENTICATED': 'Vui lòng đăng nhập lại.',
  'err.BAD_CREDENTIALS': 'Email hoặc mật khẩu không đúng.',
  'err.NOT_ENTERED': 'Bạn cần đăng ký dự thi trước.',
  'err.ROUND_NOT_OPEN': 'Tuần thi này chưa mở hoặc đã đóng.',
  'err.ATTEMPT_LIMIT': 'Bạn đã hết lượt thi của tuần này.',
  'err.ATTEMPT_CLOSED': 'Lượt thi này đã kết thúc.',
  'err.DRAW_UNSATISFIABLE': 'Hiện chưa thể bắt đầu tuần thi này. Vui lòng báo cho ban tổ chức.',
  'err.PREDICTION_REQUIRED': 'Vui lòng trả lời câu hỏi dự đoán trước khi nộp bài.',
  'err.LEADERBOARD_HIDDEN': 'Bảng xếp hạng của tuần thi này không công khai.',
  'err.CSRF': 'Yêu cầu bị từ chối vì lý do bảo mật. Hãy tải lại trang và thử lại.',
  'err.HTTP_404': 'Không tìm thấy.',
  'err.HTTP_429': 'Quá nhiều yêu cầu. Vui lòng đợi một lát rồi thử lại.',
  'err.server': 'Máy chủ đang gặp sự cố. Vui lòng thử lại sau ít phút.',

  'entry.title': 'Đăng ký dự thi',
  'entry.intro': 'Điền phiếu này một lần cho cả cuộc thi. Các mục có dấu * là bắt buộc.',
  'entry.save': 'Lưu đăng ký',
  'entry.busy': 'Đang lưu…',
  'entry.saved': 'Đã lưu thông tin đăng ký.',
  'entry.choose': 'Chọn…',
  'entry.field.fullName': 'Họ và tên',
  'entry.field.dateOfBirth': 'Ngày sinh',
  'entry.field.phone': 'Số điện thoại',
  'entry.field.idNumber': 'Số CCCD/CMND',
  'entry.field.unit': 'Đơn vị',
  'entry.field.locality': 'Địa phương',
  'entry.field.group': 'Bảng thi',
  'entry.requiredMark': 'bắt buộc',

  'attempt.title': 'Làm bài',
  'attempt.questionOf': 'Câu {n}/{total}',
  'attempt.timeLeft': 'Thời gian còn lại',
  'attempt.progress': 'Đã trả lời {n}/{total}',
  'attempt.navigator': 'Danh sách câu hỏi',
  'attempt.navAnswered': 'Câu {n}, đã trả lời',
  'attempt.navUnanswered': 'Câu {n}, chưa trả lời',
  'attempt.legendCurrent': 'Đang xem',
  'attempt.legendAnswered': 'Đã trả lời',
  'attempt.legendUnanswered': 'Chưa trả lời',
  'attempt.prev': 'Câu trước',
  'attempt.next': 'Câu sau',
  'attempt.chooseOne': 'Chọn một đáp án.',
  'attempt.chooseMany': 'Chọn tất cả đáp án đúng.',
  'attempt.points': '{n} điểm',
  'attempt.saving': 'Đang lưu…',
  'attempt.saved': 'Đã lưu ✓',
  'attempt.failed': 'Chưa lưu được',
  'attempt.queued': 'Đang chờ kết nối',
  'attempt.retry': 'Gửi lại',
  'attempt.unanswered': 'Chưa trả lời',
  'attempt.offline': 'Mất kết nối — câu trả lời của bạn sẽ được gửi khi có mạng trở lại.',
  'attempt.unsent': 'Câu trả lời đang chờ gửi: {n}',
  'attempt.cached': 'Đang hiển thị bản lưu trên thiết bị trong khi kết nối lại.',
  'attempt.finish': 'Hoàn thành',
  'attempt.submit': 'Nộp bài',
  'attempt.submitHint': 'Bạn có thể đổi đáp án cho đến khi nộp bài hoặc hết giờ.',
  'attempt.confirmTitle': 'Nộp bài?',
  'attempt.confirmAll': 'Bạn đã trả lời tất cả các câu hỏi.',
  'attempt.confirmUnanswered': 'Chưa trả lời: câu {list}.',
  'attempt.confirmFinal': 'Sau khi nộp, bạn không thể thay đổi đáp án.',
  'attempt.confirmUnsent': 'Một số câu trả lời chưa tới máy chủ; chúng sẽ được gửi trước.',
  'attempt.confirm': 'Xác nhận nộp bài',
  'attempt.cancel': 'Tiếp tục làm bài',
  'attempt.submitting': 'Đang nộp bài…',
  'attempt.timeUp': 'Đã hết giờ. Đang nộp bài…',
  'attempt.minutesLeft': 'Còn {n} phút',
  'attempt.oneMinuteLeft': 'Còn 1 phút',
  'attempt.submitFailed': 'Chưa nộp được bài: {message}',
  'attempt.closed': 'Lượt thi này đã kết thúc.',
  'attempt.toResult': 'Xem kết quả',

  'prediction.title': 'Câu hỏi dự đoán',
  'prediction.hintCount': 'Một số nguyên, từ 0 trở lên.',
  'prediction.hintPercent': 'Tỷ lệ phần trăm từ 0 đến 100, tối đa 5 chữ số thập phân.',
  'prediction.why': 'Dùng để phân định thứ hạng khi bằng điểm trong kết quả chung cuộc.',
  'prediction.empty': 'Vui lòng nhập số dự đoán.',
  'prediction.integer': 'Nhập một số nguyên (0, 1, 2, …).',
  'prediction.percentRange': 'Nhập một số từ 0 đến 100.',
  'prediction.decimals': 'Tối đa 5 chữ số thập phân.',
  'prediction.number': 'Nhập một số, ví dụ 12,5.',

  'result.title': 'Kết quả của bạn',
  'result.score': 'Điểm',
  'result.correct': 'Số câu đúng',
  'result.duration': 'Thời gian',
  'result.rank': 'Thứ hạng',
  'result.rankValue': '{rank}/{total}',
  'result.rankNote': 'Bảng xếp hạng tính lượt thi tốt nhất của bạn.',
  'result.submittedAt': 'Nộp lúc',
  'result.prediction': 'Số dự đoán của bạn',
  'result.expired': 'Đã hết giờ; các câu trả lời đã lưu được dùng để chấm điểm.',
  'result.voided': 'Lượt thi này đã bị ban giám khảo hủy.',
  'result.finalising': 'Đang chốt kết quả lượt thi…',
  'result.review': 'Xem lại bài làm',
  'result.yourAnswer': 'bạn chọn',
  'result.correctAnswer': 'đáp án đúng',
  'result.right': 'Đúng',
  'result.wrong': 'Sai',
  'result.noAnswer': 'Không trả lời.',
  'result.explanation': 'Giải thích',
  'result.answersLater': 'Đáp án sẽ được công bố sau khi tuần thi kết thúc.',
  'result.answersNever': 'Đáp án của tuần thi này không được công bố.',
  'result.backToContest': 'Quay lại cuộc thi',

  'lb.title': 'Bảng xếp hạng',
  'lb.rank': 'Hạng',
  'lb.name': 'Họ tên',
  'lb.unit': 'Đơn vị',
  'lb.score': 'Điểm',
  'lb.time': 'Thời gian',
  'lb.you': 'Bạn',
  'lb.yourRank': 'Thứ hạng của bạn',
  'lb.total': 'Số người dự thi: {n}',
  'lb.empty': 'Chưa có kết quả.',
  'lb.hidden': 'Bảng xếp hạng của tuần thi này chưa được công bố. Vui lòng quay lại sau.',
  'lb.live': 'Trực tiếp',
  'lb.connecting': 'Đang kết nối…',
  'lb.reconnecting': 'Đang kết nối lại…',
  'lb.group': 'Bảng thi',
  'lb.allGroups': 'Tất cả các bảng',
  'lb.rules': 'Khi tuần thi đang mở: điểm cao hơn xếp trên, bằng điểm thì thời gian ngắn hơn xếp trên.',
  'lb.notRanked': 'Bạn chưa có tên trên bảng xếp hạng này.',
  'lb.caption': '{n} người dẫn đầu tuần thi',

  'nf.title': 'Không tìm thấy trang',
  'nf.text': 'Địa chỉ có thể bị gõ sai, hoặc trang đã được chuyển đi.',
  'nf.home': 'Về danh sách cuộc thi',

  'nav.main': 'Điều hướng chính',
  'nav.judging': 'Chấm thi',
  'nav.organise': 'Tổ chức',
  'organise.forbiddenTitle': 'Dành cho Ban Tổ chức',
  'organise.forbiddenText': 'Trang này chỉ dành cho Ban Tổ chức cuộc thi và quản trị viên.',
  'round.finalResults': 'Kết quả chung cuộc',
  'judge.forbiddenTitle': 'Dành cho Ban Giám khảo',
  'judge.forbiddenText': 'Trang này chỉ dành cho Ban Giám khảo và quản trị viên.',
};

const dictionaries: Record<Lang, Record<MessageKey, string>> = { vi, en };

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'vi' || stored === 'en') return stored;
  } catch {
    // storage disabled: fall back to the default
  }
  return 'vi';
}

export type Params = Record<string, string | number>;

/** Fills `{name}` placeholders; unknown names stay as they are. */
export function fill(text: string, params?: Params): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

class I18n {
  lang = $state<Lang>(initialLang());
  /** BCP 47 locale for Intl formatting (en-GB: day-month order, 24-hour clock, as in Vietnam). */
  locale = $derived(this.lang === 'vi' ? 'vi-VN' : 'en-GB');

  /** Translates `key`, filling `{name}` placeholders. An arrow so it can be passed around. */
  t = (key: MessageKey, params?: Params): string =>
    fill(dictionaries[this.lang][key] ?? en[key] ?? key, params);

  has(key: string): key is MessageKey {
    return key in en;
  }

  set(lang: Lang): void {
    this.lang = lang;
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // not remembered, still switched
    }
    document.documentElement.lang = lang;
  }

  toggle(): void {
    this.set(this.lang === 'vi' ? 'en' : 'vi');
  }

  /** A message for an error: ours when we know its code, else the server's own message. */
  error = (err: unknown): string => {
    if (err instanceof ApiError) {
      const key = `err.${err.code}`;
      if (this.has(key)) return this.t(key);
      if (err.status >= 500 && !err.message) return this.t('err.server');
      if (err.status >= 500 && err.message === 'Internal Server Error') return this.t('err.server');
      return err.message;
    }
    return err instanceof Error ? err.message : String(err);
  };
}

export const i18n = new I18n();
export const t = i18n.t;
